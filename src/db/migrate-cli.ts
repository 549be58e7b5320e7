// `npm run migrate`: apply drizzle/ migrations to DATABASE_URL, or to the embedded database in HERBTRACE_DATA_DIR.
import { loadConfig } from '../config.js';
import { openDatabase } from './client.js';

const config = loadConfig();
const database = openDatabase(config);
try {
  const before = await database.pendingMigrations();
  await database.migrate();
  console.log(`${database.kind}: applied ${before} migration(s); the database is up to date.`);
} finally {
  await database.close();
}
