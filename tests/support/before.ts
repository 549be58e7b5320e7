// Run once by tap before the test files (see .taprc): builds the migrated template database, and queues the
// test files for the test hosts (tests/support/host.ts).
import { prepareTemplate, TEST_DATABASE_URL } from './databases.js';
import { prepareQueue } from './test-queue.js';

await prepareTemplate();
prepareQueue();
console.log(`# test database: ${TEST_DATABASE_URL ? 'PostgreSQL (TEST_DATABASE_URL)' : 'embedded PGlite'}`);
