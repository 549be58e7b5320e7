// Run once by tap before the test files (see .taprc): builds the migrated template database.
import { prepareTemplate, TEST_DATABASE_URL } from './databases.js';

await prepareTemplate();
console.log(`# test database: ${TEST_DATABASE_URL ? 'PostgreSQL (TEST_DATABASE_URL)' : 'embedded PGlite'}`);
