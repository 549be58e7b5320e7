-- The nine national geographical-indication products named in the Jilin plan (domain.md). Their protected
-- regions are configurable data (PUT /v1/gi-products/{code}/regions, admin) and are NOT taken from the GI
-- notices here. 长白山人参 and 吉林梅花鹿 get an EXAMPLE region list, built only from the division codes in
-- domain.md, for demos and tests: regions_verified = false. Replace them with the regions of the published
-- GI notice before relying on a GI claim; the other seven have no regions, so no lot can claim them yet.
INSERT INTO "gi_products" ("code", "name_zh", "species_code", "regions_verified", "regions_source") VALUES
('changbaishan-renshen', '长白山人参', 'renshen', false, 'EXAMPLE ONLY (unverified): counties of the worked chain in domain.md, not the protected area of the GI notice'),
('changbaishan-yinyanghuo', '长白山淫羊藿', 'yinyanghuo', false, NULL),
('changbaishan-hongjingtian', '长白山红景天', 'hongjingtian', false, NULL),
('dachuan-pingbeimu', '大川平贝母', 'pingbeimu', false, NULL),
('changbaishan-wuweizi', '长白山五味子', 'wuweizi', false, NULL),
('jilin-meihualu', '吉林梅花鹿', 'lurong', false, 'EXAMPLE ONLY (unverified): counties of the antler chain in domain.md, not the protected area of the GI notice'),
('jilin-changbaishan-linwayou', '吉林长白山中国林蛙油', 'hamayou', false, NULL),
('baicheng-gancao', '白城甘草', 'gancao', false, NULL),
('changbai-huyanwannianqing', '长白虎眼万年青', NULL, false, NULL);
--> statement-breakpoint
INSERT INTO "gi_regions" ("gi_code", "region_code") VALUES
('changbaishan-renshen', '220621'),
('changbaishan-renshen', '220622'),
('changbaishan-renshen', '220582'),
('changbaishan-renshen', '220521'),
('jilin-meihualu', '220421'),
('jilin-meihualu', '220112');
