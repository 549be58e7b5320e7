/**
 * A scan's consent-given coordinates named for a consumer: the nearest of the cities below when it lies within
 * NEAR_KM, else nothing. Not a geocoder (no boundaries): the page says "near" the city, which stays true across a
 * border. Provincial capitals and the larger cities of Jilin, where most boxes are bought and scanned first.
 */
const CITIES: readonly (readonly [code: string, lat: number, lon: number])[] = [
  ['110000', 39.9, 116.41], // 北京
  ['120000', 39.13, 117.2], // 天津
  ['130100', 38.04, 114.51], // 石家庄
  ['140100', 37.87, 112.55], // 太原
  ['150100', 40.84, 111.75], // 呼和浩特
  ['210100', 41.8, 123.43], // 沈阳
  ['210200', 38.91, 121.61], // 大连
  ['220100', 43.82, 125.32], // 长春
  ['220200', 43.84, 126.55], // 吉林
  ['220500', 41.73, 125.94], // 通化
  ['220600', 41.94, 126.42], // 白山
  ['222400', 42.89, 129.51], // 延边 (延吉)
  ['230100', 45.8, 126.53], // 哈尔滨
  ['310000', 31.23, 121.47], // 上海
  ['320100', 32.06, 118.8], // 南京
  ['330100', 30.27, 120.16], // 杭州
  ['340100', 31.82, 117.23], // 合肥
  ['350100', 26.07, 119.3], // 福州
  ['360100', 28.68, 115.86], // 南昌
  ['370100', 36.65, 117.12], // 济南
  ['370200', 36.07, 120.38], // 青岛
  ['410100', 34.75, 113.63], // 郑州
  ['420100', 30.59, 114.31], // 武汉
  ['430100', 28.23, 112.94], // 长沙
  ['440100', 23.13, 113.26], // 广州
  ['440300', 22.54, 114.06], // 深圳
  ['450100', 22.82, 108.37], // 南宁
  ['460100', 20.04, 110.2], // 海口
  ['500000', 29.56, 106.55], // 重庆
  ['510100', 30.57, 104.07], // 成都
  ['520100', 26.65, 106.63], // 贵阳
  ['530100', 25.04, 102.71], // 昆明
  ['540100', 29.65, 91.14], // 拉萨
  ['610100', 34.34, 108.94], // 西安
  ['620100', 36.06, 103.83], // 兰州
  ['630100', 36.62, 101.78], // 西宁
  ['640100', 38.49, 106.23], // 银川
  ['650100', 43.83, 87.62], // 乌鲁木齐
];

const NEAR_KM = 150;

/** Great-circle distance in km (haversine), the same formula as the scan statement's. */
export function distanceKm(lat1: number, lon1: number, lat2: number, lon2: number): number {
  const rad = Math.PI / 180;
  const a = Math.sin(((lat2 - lat1) * rad) / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(((lon2 - lon1) * rad) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(a)));
}

/** The GB/T 2260 code of the city nearest to the point, if one lies within NEAR_KM. */
export function nearestCity(lat: number, lon: number): string | null {
  let best: string | null = null;
  let bestKm = NEAR_KM;
  for (const [code, cLat, cLon] of CITIES) {
    const d = distanceKm(lat, lon, cLat, cLon);
    if (d <= bestKm) {
      best = code;
      bestKm = d;
    }
  }
  return best;
}
