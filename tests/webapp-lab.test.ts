// The field app for a testing lab: the lab's owner sets up with TOTP in the app and enters the worked report
// (合格), then a Pb of 6 mg/kg (不合格, the lot put on hold).
import t from 'tap';
import { eq } from 'drizzle-orm';
import { lots } from '../src/db/schema.js';
import { accessibilityProblems, launchBrowser, noBrowser } from './support/browser.js';
import { kg } from './support/chain.js';
import { GOOD_PASSWORD } from './support/people.js';
import { world } from './support/webapp.js';

t.test('a lab analyst enters the worked report (合格), then a Pb of 6 mg/kg (不合格, lot on hold)', { skip: noBrowser }, async (t) => {
  const w = await world(t);
  const step = async (input: { id: string }, quantity: object, output: Record<string, unknown>, occurredAt: string) =>
    (await w.c.transform(w.coop.headers, { occurredAt, inputs: [{ lotId: input.id, quantity }], outputs: [output] })).outputs[0];
  const bed = await step(w.seed, kg(40), { stage: 'cultivation', lotNumber: 'SL-B05', quantity: { value: 150000, unit: 'plant' } }, '2021-04-15T08:00:00+08:00');
  const harvest = await step(bed, { value: 150000, unit: 'plant' }, { stage: 'harvest', lotNumber: 'SL-H05', quantity: kg(4000) }, '2024-09-18T08:00:00+08:00');
  const dried = await step(harvest, kg(4000), { stage: 'processed', lotNumber: 'YJ-SSS-2024', quantity: kg(850), attributes: { form: '生晒参' } }, '2024-10-08T10:00:00+08:00');
  await w.c.call('POST', `/v1/lots/${dried.id}/lab-grants`, w.coop.headers, { labOrganizationId: w.lab.organization.id });
  const context = await launchBrowser(t);
  const page = await context.newPage();
  // A lab's owner must enrol TOTP and may not keep the phone signed in: the app signs in for the visit and
  // asks for the enrolment.
  await page.goto(`${w.address}/app/#/setup`);
  await page.getByLabel('账号').fill('lab.zhao');
  await page.getByLabel('设置码').fill(w.analyst.setupCode);
  await page.getByLabel('设置密码（至少 8 位）').fill(GOOD_PASSWORD);
  await page.getByLabel('再次输入密码').fill(GOOD_PASSWORD);
  await page.getByRole('button', { name: '完成设置' }).click();
  const secret = await page.locator('code').first().textContent();
  const { totpNow } = await import('./support/people.js');
  await page.getByLabel('动态验证码（6 位）').fill(totpNow(secret!.trim()));
  await page.getByRole('button', { name: '确认' }).click();
  await page.getByTestId('recovery-codes').waitFor();
  t.equal(await page.getByTestId('recovery-codes').locator('li').count(), 10, 'ten recovery codes shown once');
  await page.getByRole('link', { name: '继续' }).click();

  await page.getByRole('link', { name: '委托我检验的批次' }).click();
  await page.getByTestId('lab-lots').getByText('YJ-SSS-2024').click();
  const fill = async (rows: [string, string, string][]) => {
    for (let i = 0; i < rows.length; i++) {
      if (i > 0) await page.getByRole('button', { name: '添加项目' }).click();
      const item = page.getByTestId('lab-item').nth(i);
      await item.locator('select').first().selectOption(rows[i]![0]);
      await item.getByLabel('结果').fill(rows[i]![1]);
      await item.getByLabel('单位').selectOption(rows[i]![2]);
    }
  };
  await page.getByLabel('报告编号').fill('THJC-2024-1018');
  await fill([
    ['ginsenoside_rg1_re', '0.52', '%'],
    ['ginsenoside_rb1', '0.38', '%'],
    ['moisture', '10.1', '%'],
    ['pb', '0.8', 'mg/kg'],
  ]);
  t.same(await accessibilityProblems(page), [], 'lab report form: accessible');
  await page.getByTestId('save').click();
  t.equal(await page.getByTestId('report-verdict').textContent(), '合格');
  t.same(await accessibilityProblems(page), [], 'verdict screen: accessible');

  await page.getByRole('link', { name: '返回' }).last().click();
  await page.getByTestId('lab-lots').getByText('YJ-SSS-2024').click();
  await page.getByLabel('报告编号').fill('THJC-2024-1019');
  await fill([['pb', '6', 'mg/kg']]);
  await page.getByTestId('save').click();
  t.equal(await page.getByTestId('report-verdict').textContent(), '不合格');
  await page.getByTestId('lot-held').waitFor();
  const [held] = await w.database.db.select().from(lots).where(eq(lots.id, dried.id));
  t.equal(held!.status, 'hold', 'the lot is on hold in the database');
});
