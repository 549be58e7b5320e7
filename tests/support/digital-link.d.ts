// digital-link.js ships no types; the tests use it only as an oracle for GS1 Digital Link syntax.
declare module 'digital-link.js';
