// Signed notes, checkpoints, cosignatures and tlog proofs (src/modules/tlog): the examples of the C2SP specs
// verbatim, round trips with generated keys, and the refusals the specs ask for.
import t from 'tap';
import {
  MemoryTree,
  SIGNATURE_TYPE,
  TlogError,
  addSignatures,
  cosignatureTimestamp,
  cosignatureVerifier,
  cosignedMessage,
  cosigner,
  decodeBase64,
  decodeSignerKey,
  decodeVerifierKey,
  encodeBase64,
  encodeVerifierKey,
  formatCheckpoint,
  formatTlogProof,
  generateNoteKey,
  inclusionProof,
  keyId,
  keyIdHex,
  leafHash,
  noteSigner,
  noteVerifier,
  openCheckpoint,
  parseCheckpoint,
  parseNote,
  parseTlogProof,
  signCheckpoint,
  signNote,
  signatureLine,
  verifyNote,
  verifyTlogProof,
  type Checkpoint,
  type NoteVerifier,
} from '../../src/modules/tlog/index.js';

const code = (c: string) => ({ name: 'TlogError', code: c });

// signed-note.md, "Example".
const SPEC_VKEY = 'example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k';
const SPEC_NOTE =
  'This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n';
// signed-note.md, the note at the top (its key is not given).
const SPEC_POEM =
  'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n\n' +
  '— quasimodo.example/salvatore NnugSzTjtVAewIS+Z/iJhUPeFDkO/5QQ2i5ddnGITLlC+EhfLW9oJKONrMouFSQU0xMcXxj99ihAQwaqP3ZekRwNtIc=\n';
// tlog-cosignature.md: a checkpoint with the log's signature and a witness's cosignature (keys not given).
const SPEC_COSIGNED =
  'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n' +
  '— example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n' +
  '— witness.example.com/w1 jWbPPwAAAABkGFDLEZMHwSRaJNiIDoe9DYn/zXcrtPHeolMI5OWXEhZCB9dlrDJsX3b2oyin1nPZqhf5nNo0xUe+mbIUBkBIfZ+qnA==\n';
// tlog-proof.md's example (its signatures are elided with […], so it parses but cannot verify).
const SPEC_PROOF = `c2sp.org/tlog-proof@v1
extra YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ
index 73894
gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=
B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=
EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=
RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=
AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=

example.com/fancylog
109482
sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=

— example.com/fancylog hI2DJw[...]1roloI=
— witness1.example mJirIklj[...]qY9v2B/5bg==
— witness2.example TnKKVHLX[...]xwYwrSjgow==
— witness3.example S4X82uH5[...]3oEcROGLFQ==
`;

const log = generateNoteKey('herbtrace.example/log');
const other = generateNoteKey('herbtrace.example/log');
const second = generateNoteKey('herbtrace.example/mirror');
const logSigner = noteSigner(log.signerKey);
const logVerifier = noteVerifier(log.verifierKey);

t.test('signed-note: the spec example verifies with the spec key; its key id is SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4]', async (t) => {
  const key = decodeVerifierKey(SPEC_VKEY);
  t.equal(key.name, 'example.com/foo');
  t.equal(key.type, SIGNATURE_TYPE.ed25519);
  t.equal(key.key.length, 32);
  t.equal(keyIdHex(keyId(key.name, 0x01, key.key)), '530d903a', 'the key id computed from the name and key');
  t.equal(encodeVerifierKey(key.name, key.type, key.key), SPEC_VKEY, 'the vkey encodes back');
  const verifier = noteVerifier(SPEC_VKEY);
  const opened = verifyNote(SPEC_NOTE, [verifier]);
  t.equal(opened.text, 'This is an example message.\n');
  t.equal(opened.verified.length, 1);
  t.equal(keyIdHex(opened.verified[0]!.keyId), '530d903a');
  t.same(verifyNote(Buffer.from(SPEC_NOTE, 'utf8'), [verifier]).text, opened.text, 'bytes as well as a string');

  t.throws(() => verifyNote(SPEC_NOTE.replace('example message', 'example massage'), [verifier]), code('invalid-signature'), 'a changed text');
  t.throws(() => verifyNote(SPEC_NOTE.slice(0, -1), [verifier]), code('malformed-note'), 'no final newline');
  t.throws(() => verifyNote(SPEC_NOTE, [logVerifier]), code('unverified-note'), 'only an unknown key signed');
  t.throws(() => verifyNote(SPEC_NOTE, []), code('unverified-note'), 'no known key at all');
});

t.test('signed-note: the poem with empty lines keeps them in its text; its unknown key is reported, not trusted', async (t) => {
  const parsed = parseNote(SPEC_POEM);
  t.equal(parsed.text, 'Ognuno sta solo sul cuor della terra\ntrafitto da un raggio di sole:\n\ned è subito sera.\n', 'split at the last blank line');
  t.equal(parsed.signatures.length, 1);
  t.equal(parsed.signatures[0]!.name, 'quasimodo.example/salvatore');
  t.equal(parsed.signatures[0]!.signature.length, 64, 'an Ed25519 signature after the key id');
  t.throws(() => verifyNote(SPEC_POEM, [logVerifier]), code('unverified-note'));
  // The same signature under a verifier of the same name but another key (another key id) stays unknown.
  const sameName = noteVerifier(generateNoteKey('quasimodo.example/salvatore').verifierKey);
  t.throws(() => verifyNote(SPEC_POEM, [sameName]), code('unverified-note'));
});

t.test('signed-note: sign and verify round trips, several signers, unknown signatures ignored', async (t) => {
  const text = '人参 lot 2024-JL-0001\nFusong, Jilin\n\nwith an empty line inside\n';
  const note = signNote(text, [logSigner, noteSigner(second.signerKey)]);
  t.ok(note.startsWith(`${text}\n— herbtrace.example/log `));
  const both = verifyNote(note, [logVerifier, noteVerifier(second.verifierKey)]);
  t.equal(both.text, text);
  t.strictSame(
    both.verified.map((s) => s.name),
    ['herbtrace.example/log', 'herbtrace.example/mirror'],
  );
  const one = verifyNote(note, [logVerifier]);
  t.equal(one.verified.length, 1);
  t.strictSame(
    one.unknown.map((s) => s.name),
    ['herbtrace.example/mirror'],
    'the other signature is reported as unknown',
  );
  t.equal(addSignatures(signNote(text, [logSigner]), [noteSigner(second.signerKey)]), note, 'adding a signature later gives the same note');
  t.equal(verifyNote(signNote('\n', [logSigner]), [logVerifier]).text, '\n', 'the shortest text is a newline');
  t.equal(verifyNote(signNote('a\n\n', [logSigner]), [logVerifier]).text, 'a\n\n', 'a text ending in a blank line');

  // Keys round trip and check their ids.
  const skey = decodeSignerKey(log.signerKey);
  t.match(log.signerKey, /^PRIVATE\+KEY\+herbtrace\.example\/log\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/);
  t.match(log.verifierKey, /^herbtrace\.example\/log\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/);
  t.equal(skey.keyId, decodeVerifierKey(log.verifierKey).keyId);
  t.equal(logSigner.keyId, logVerifier.keyId);
  t.not(noteVerifier(other.verifierKey).keyId, logVerifier.keyId, 'another key of the same name has another id');
});

t.test('signed-note: refusals', async (t) => {
  const text = 'checked text\n';
  const note = signNote(text, [logSigner]);
  const line = note.slice(text.length + 1, -1);
  const sigBase64 = line.slice('— herbtrace.example/log '.length);
  const sigBytes = decodeBase64(sigBase64)!;
  const with_ = (sigLine: string) => `${text}\n${sigLine}\n`;

  t.throws(() => verifyNote(note, [noteVerifier(other.verifierKey)]), code('unverified-note'), 'the wrong key of the same name');
  const impostor: NoteVerifier = { ...noteVerifier(other.verifierKey), keyId: logVerifier.keyId };
  t.throws(() => verifyNote(note, [impostor]), code('invalid-signature'), 'a known name and id whose key does not verify: the whole note is refused');
  t.throws(() => verifyNote(note.replace('checked', 'changed'), [logVerifier]), code('invalid-signature'), 'a changed line');
  t.throws(() => verifyNote(`extra line\n${note}`, [logVerifier]), code('invalid-signature'), 'a line added before');
  t.throws(() => verifyNote(with_(`— herbtrace.example/log ${encodeBase64(sigBytes.subarray(0, 60))}`), [logVerifier]), code('invalid-signature'), 'a truncated signature');
  t.throws(() => verifyNote(with_(`— herbtrace.example/log ${sigBase64.slice(0, -4)}`), [logVerifier]), code('invalid-signature'), 'a signature cut by 4 characters');
  t.throws(() => verifyNote(with_(`— herbtrace.example/log ${sigBase64.slice(0, -1)}`), [logVerifier]), code('malformed-note'), 'a signature cut by one character');
  t.throws(() => verifyNote(note.slice(0, -1), [logVerifier]), code('malformed-note'), 'missing final newline');
  t.throws(() => verifyNote(note.replace('\n\n', '\n'), [logVerifier]), code('malformed-note'), 'no blank line before the signatures');
  t.throws(() => verifyNote(text, [logVerifier]), code('malformed-note'), 'no signatures');
  t.throws(() => verifyNote(`${text}\n\n`, [logVerifier]), code('malformed-note'), 'an empty signature block');

  const malformedLines: Array<[string, string]> = [
    [`- herbtrace.example/log ${sigBase64}`, 'a hyphen for the em dash'],
    [`—herbtrace.example/log ${sigBase64}`, 'no space after the em dash'],
    [`— herbtrace.example/log  ${sigBase64}`, 'two spaces'],
    [`— herbtrace.example/log ${sigBase64} `, 'a trailing space'],
    [`— herbtrace.example/log`, 'no signature'],
    [`— herbtrace.example/log `, 'an empty signature'],
    [`— ${sigBase64}`, 'no name'],
    [`—  ${sigBase64}`, 'an empty name'],
    [`— herbtrace+log ${sigBase64}`, 'a plus in the name'],
    [`— herbtrace.example/log ${sigBase64.replace(/.$/, '!')}`, 'not base64'],
    [`— herbtrace.example/log ${sigBase64.replace(/=+$/, '')}`, 'base64 without its padding'],
    [`— herbtrace.example/log AAAAAA==`, 'four bytes: a key id and no signature'],
  ];
  for (const [sigLine, what] of malformedLines) t.throws(() => verifyNote(with_(sigLine), [logVerifier]), code('malformed-note'), what);
  // A control character anywhere (text or signatures), or invalid UTF-8.
  t.throws(() => verifyNote(note.replace('checked text', 'checked\ttext'), [logVerifier]), code('malformed-note'), 'a tab');
  t.throws(() => verifyNote(note.replace('checked text', 'checked\rtext'), [logVerifier]), code('malformed-note'), 'a carriage return');
  t.throws(() => verifyNote(note.replace('\n\n', '\r\n\r\n'), [logVerifier]), code('malformed-note'), 'CRLF lines');
  t.throws(() => verifyNote(Buffer.concat([Buffer.from([0xff]), Buffer.from(note)]), [logVerifier]), code('malformed-note'), 'invalid UTF-8');
  t.throws(() => verifyNote('\ud800' + note, [logVerifier]), code('malformed-note'), 'a lone surrogate');

  // Sixteen signatures are accepted (the spec's minimum), more than the limit refused.
  const strangers = Array.from({ length: 15 }, (_, i) => noteSigner(generateNoteKey(`witness${i}.example`).signerKey));
  const sixteen = signNote(text, [...strangers, logSigner]);
  const opened = verifyNote(sixteen, [logVerifier]);
  t.equal(opened.unknown.length, 15);
  t.equal(opened.verified.length, 1);
  t.throws(() => verifyNote(sixteen, [logVerifier], { maxSignatures: 15 }), code('too-many-signatures'));
  const many = note + `${line}\n`.repeat(100);
  t.throws(() => verifyNote(many, [logVerifier]), code('too-many-signatures'), '101 signature lines by default');
  const twice = verifyNote(note + line + '\n', [logVerifier]);
  t.equal(twice.verified.length, 1, 'the same key twice counts once');
  const badTwin = `${note}— herbtrace.example/log ${encodeBase64(Buffer.concat([sigBytes.subarray(0, 4), Buffer.alloc(64)]))}\n`;
  t.throws(() => verifyNote(badTwin, [logVerifier]), code('invalid-signature'), 'a second, bad signature of a known key refuses the note');

  // Signing refuses what could not be verified.
  t.throws(() => signNote('no newline', [logSigner]), code('malformed-note'));
  t.throws(() => signNote('tab\there\n', [logSigner]), code('malformed-note'));
  t.throws(() => signNote('ok\n', []), RangeError);
  t.throws(() => signatureLine('ok\n', { ...logSigner, name: 'bad name' }), code('malformed-key'));
  t.throws(() => verifyNote(note, [logVerifier, logVerifier]), RangeError, 'two verifiers with one name and id');
});

t.test('signed-note keys: refusals', async (t) => {
  const [name, id, material] = log.verifierKey.split('+') as [string, string, string];
  const badVkeys: Array<[string, string]> = [
    [`${name}+${id}`, 'two parts'],
    [`${name}+${id.toUpperCase() === id ? '0000000g' : id.toUpperCase()}+${material}`, 'upper-case hex'],
    [`${name}+${id.slice(1)}+${material}`, 'seven hex digits'],
    [`${name}+00000000+${material}`, 'a key id that does not match'],
    [`other.example/log+${id}+${material}`, 'another name with that id'],
    [`${name}+${id}+${material.slice(0, -1)}`, 'cut base64'],
    [`${name}+${id}+ ${material}`, 'a space in the base64'],
    [`+${id}+${material}`, 'an empty name'],
    [`bad name+${id}+${material}`, 'a space in the name'],
    [`${name}+${id}+AQ==`, 'no key material'],
  ];
  for (const [vkey, what] of badVkeys) t.throws(() => noteVerifier(vkey), code('malformed-key'), what);
  t.throws(() => noteVerifier(generateNoteKey('w.example', SIGNATURE_TYPE.cosignatureV1).verifierKey), code('malformed-key'), 'a cosignature key is no Ed25519 note key');
  t.throws(() => noteSigner(log.verifierKey), code('malformed-key'), 'a verifier key as a signer key');
  t.throws(() => noteSigner(log.signerKey.replace('PRIVATE+KEY+', 'PRIVATE+KEYS+')), code('malformed-key'));
  t.throws(() => noteSigner(log.signerKey.replace(/\+[0-9a-f]{8}\+/, '+00000000+')), code('malformed-key'), 'a signer key id that does not match');
  t.throws(() => generateNoteKey('has space'), code('malformed-key'));
  t.throws(() => generateNoteKey('has+plus'), code('malformed-key'));
  t.throws(() => generateNoteKey('no\u00a0break'), code('malformed-key'), 'a no-break space is a Unicode space');
  t.throws(() => generateNoteKey('ideographic\u3000space'), code('malformed-key'));
  t.type(generateNoteKey('药材溯源.example/log').verifierKey, 'string', 'non-ASCII names are fine');
});

const tree = new MemoryTree(Array.from({ length: 10 }, (_, i) => leafHash(Buffer.from(`entry ${i}`))));
const checkpoint: Checkpoint = { origin: 'herbtrace.example/log', size: 10, root: tree.root(), extensions: [] };

t.test('checkpoints: format and parse round trip, the spec example, strict refusals', async (t) => {
  const text = formatCheckpoint(checkpoint);
  t.equal(text, `herbtrace.example/log\n10\n${encodeBase64(tree.root())}\n`);
  t.strictSame(parseCheckpoint(text), checkpoint);
  const withExtensions = { ...checkpoint, extensions: ['ext one', 'ext two'] };
  t.strictSame(parseCheckpoint(formatCheckpoint(withExtensions)), withExtensions);
  t.strictSame(parseCheckpoint(`empty.example\n0\n${encodeBase64(new Uint8Array(32))}\n`).size, 0, 'size 0 is written 0');

  const spec = parseCheckpoint(parseNote(SPEC_COSIGNED).text);
  t.equal(spec.origin, 'example.com/behind-the-sofa');
  t.equal(spec.size, 20852163);
  t.equal(encodeBase64(spec.root), 'CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=');

  const root = encodeBase64(tree.root());
  const bad: Array<[string, string]> = [
    [`herbtrace.example/log\n10\n${root}`, 'no final newline'],
    [`herbtrace.example/log\n10\n`, 'no root line'],
    [`\n10\n${root}\n`, 'an empty origin'],
    [`herbtrace.example/log\n010\n${root}\n`, 'a leading zero'],
    [`herbtrace.example/log\n00\n${root}\n`, 'zero written 00'],
    [`herbtrace.example/log\n-1\n${root}\n`, 'a negative size'],
    [`herbtrace.example/log\n+1\n${root}\n`, 'a plus sign'],
    [`herbtrace.example/log\n1.0\n${root}\n`, 'a decimal point'],
    [`herbtrace.example/log\n 10\n${root}\n`, 'a space before the size'],
    [`herbtrace.example/log\n1e3\n${root}\n`, 'an exponent'],
    [`herbtrace.example/log\n9007199254740992\n${root}\n`, 'a size of 2^53'],
    [`herbtrace.example/log\n10\n${encodeBase64(new Uint8Array(31))}\n`, 'a 31-byte root'],
    [`herbtrace.example/log\n10\n${encodeBase64(new Uint8Array(33))}\n`, 'a 33-byte root'],
    [`herbtrace.example/log\n10\n${root.replace('=', '')}\n`, 'a root without padding'],
    [`herbtrace.example/log\n10\n${root}\n\n`, 'an empty extension line'],
    [`herbtrace.example/log\n10\n${root}\n\next\n`, 'an empty line before an extension'],
    [`herbtrace.example/log\t\n10\n${root}\n`, 'a control character'],
  ];
  for (const [text, what] of bad) t.throws(() => parseCheckpoint(text), code('malformed-checkpoint'), what);
  t.throws(() => formatCheckpoint({ ...checkpoint, size: -1 }), code('malformed-checkpoint'));
  t.throws(() => formatCheckpoint({ ...checkpoint, root: new Uint8Array(31) }), code('malformed-checkpoint'));
  t.throws(() => formatCheckpoint({ ...checkpoint, origin: '' }), code('malformed-checkpoint'));
  t.throws(() => formatCheckpoint({ ...checkpoint, extensions: [''] }), code('malformed-checkpoint'));
});

t.test('checkpoints: signed by the log, opened with its key and origin', async (t) => {
  const note = signCheckpoint(checkpoint, [logSigner]);
  const opened = openCheckpoint(note, { origin: 'herbtrace.example/log', logVerifiers: [logVerifier] });
  t.strictSame(opened.checkpoint, checkpoint);
  t.equal(opened.logSignatures.length, 1);
  t.strictSame(opened.cosignatures, []);
  t.throws(() => openCheckpoint(note, { origin: 'herbtrace.example/other', logVerifiers: [logVerifier] }), code('wrong-origin'));
  t.throws(() => openCheckpoint(note, { origin: 'herbtrace.example/log', logVerifiers: [noteVerifier(other.verifierKey)] }), code('unverified-note'));
  // Signed by a known witness only: the note verifies, the checkpoint does not.
  const witness = generateNoteKey('witness.example/w1', SIGNATURE_TYPE.cosignatureV1);
  const onlyWitness = signNote(formatCheckpoint(checkpoint), [cosigner(witness.signerKey, () => 1_700_000_000)]);
  t.throws(
    () => openCheckpoint(onlyWitness, { origin: 'herbtrace.example/log', logVerifiers: [logVerifier], cosigners: [cosignatureVerifier(witness.verifierKey)] }),
    code('unverified-note'),
  );
  // A signed note whose text is no checkpoint.
  t.throws(() => openCheckpoint(signNote('herbtrace.example/log\n10\n', [logSigner]), { origin: 'herbtrace.example/log', logVerifiers: [logVerifier] }), code('malformed-checkpoint'));
});

t.test('cosignatures (cosignature/v1): the spec message and timestamp, sign and verify, refusals', async (t) => {
  // The spec's signed message for its example checkpoint at time 1679315147.
  const specText = parseNote(SPEC_COSIGNED).text;
  t.equal(
    Buffer.from(cosignedMessage(specText, 1679315147)).toString('utf8'),
    'cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n',
  );
  const specCosignature = parseNote(SPEC_COSIGNED).signatures[1]!;
  t.equal(specCosignature.name, 'witness.example.com/w1');
  t.equal(cosignatureTimestamp(specCosignature.signature), 1679315147, 'the example cosignature carries that timestamp');

  const witness = generateNoteKey('witness.example/w1', SIGNATURE_TYPE.cosignatureV1);
  const w = decodeVerifierKey(witness.verifierKey);
  t.equal(w.type, 0x04);
  t.equal(w.keyId, keyId('witness.example/w1', 0x04, w.key), 'key id with type byte 0x04');
  const witnessVerifier = cosignatureVerifier(witness.verifierKey);
  const signed = signCheckpoint(checkpoint, [logSigner]);
  const cosigned = addSignatures(signed, [cosigner(witness.signerKey, () => 1_700_000_123)]);
  const options = { origin: 'herbtrace.example/log', logVerifiers: [logVerifier], cosigners: [witnessVerifier] };
  const opened = openCheckpoint(cosigned, options);
  t.strictSame(opened.cosignatures, [{ name: 'witness.example/w1', keyId: w.keyId, timestamp: 1_700_000_123 }]);
  t.equal(opened.logSignatures.length, 1);
  t.strictSame(openCheckpoint(cosigned, { ...options, cosigners: [] }).unknown.map((s) => s.name), ['witness.example/w1'], 'unknown witness: ignored');

  // A changed timestamp, a cosignature moved to another checkpoint, a plain Ed25519 signature under the
  // cosigner's key id, an over-large timestamp: refused.
  const line = cosigned.slice(signed.length, -1);
  const sig = decodeBase64(line.slice('— witness.example/w1 '.length))!;
  const restamped = Buffer.from(sig);
  restamped.writeBigUInt64BE(1_700_000_124n, 4);
  t.throws(() => openCheckpoint(`${signed}— witness.example/w1 ${encodeBase64(restamped)}\n`, options), code('invalid-signature'), 'a changed timestamp');
  const otherCheckpoint = signCheckpoint({ ...checkpoint, size: 9, root: new MemoryTree(Array.from({ length: 9 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)))).root() }, [logSigner]);
  t.throws(() => openCheckpoint(`${otherCheckpoint}${line}\n`, options), code('invalid-signature'), 'moved to another checkpoint');
  const huge = Buffer.from(sig);
  huge.writeBigUInt64BE(2n ** 63n, 4);
  t.throws(() => cosignatureTimestamp(huge.subarray(4)), code('malformed-cosignature'), 'a timestamp above 2^63 − 1');
  t.throws(() => cosignatureTimestamp(sig.subarray(4, 70)), code('malformed-cosignature'), 'a cut cosignature');
  t.throws(() => openCheckpoint(`${signed}— witness.example/w1 ${encodeBase64(huge)}\n`, options), code('invalid-signature'));
  t.throws(() => cosignatureVerifier(log.verifierKey), code('malformed-key'), 'an Ed25519 note key is no cosignature key');
  t.throws(() => cosigner(log.signerKey), code('malformed-key'));
  t.throws(() => cosignedMessage(specText, -1), RangeError);
});

t.test('tlog proofs: the spec example parses; format, parse and verify offline; refusals', async (t) => {
  const spec = parseTlogProof(SPEC_PROOF);
  t.equal(spec.index, 73894);
  t.equal(spec.proof.length, 5);
  t.equal(Buffer.from(spec.extra!).toString('latin1').slice(0, 27), 'age-v1.2.1-darwin-arm64.tar');
  t.equal(spec.checkpointBody.origin, 'example.com/fancylog');
  t.equal(spec.checkpointBody.size, 109482);
  t.ok(spec.checkpoint.startsWith('example.com/fancylog\n109482\n'));
  t.throws(() => verifyTlogProof(SPEC_PROOF, new Uint8Array(32), { origin: 'example.com/fancylog', logVerifiers: [logVerifier] }), TlogError, 'its elided signatures do not verify');

  const witness = generateNoteKey('witness.example/w1', SIGNATURE_TYPE.cosignatureV1);
  const note = addSignatures(signCheckpoint(checkpoint, [logSigner]), [cosigner(witness.signerKey, () => 1_700_000_000)]);
  const leaves = Array.from({ length: 10 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
  const text = formatTlogProof({ extra: Buffer.from('lot 2024-JL-0003'), index: 3, proof: inclusionProof(leaves, 3), checkpoint: note });
  t.ok(text.startsWith('c2sp.org/tlog-proof@v1\nextra bG90IDIwMjQtSkwtMDAwMw==\nindex 3\n'));
  const parsed = parseTlogProof(text);
  t.equal(parsed.index, 3);
  t.equal(parsed.checkpoint, note, 'the checkpoint verbatim');
  t.equal(formatTlogProof(parsed), text, 'formats back the same');
  const options = { origin: 'herbtrace.example/log', logVerifiers: [logVerifier], cosigners: [cosignatureVerifier(witness.verifierKey)] };
  const verified = verifyTlogProof(text, leaves[3]!, { ...options, minCosignatures: 1 });
  t.equal(verified.index, 3);
  t.equal(Buffer.from(verified.extra!).toString(), 'lot 2024-JL-0003');
  t.equal(verified.checkpoint.cosignatures[0]!.timestamp, 1_700_000_000);
  const noExtra = formatTlogProof({ index: 0, proof: inclusionProof(leaves, 0), checkpoint: note });
  t.equal(verifyTlogProof(noExtra, leaves[0]!, options).index, 0, 'without extra');

  t.throws(() => verifyTlogProof(text, leaves[4]!, options), code('proof-failed'), 'another leaf');
  t.throws(() => verifyTlogProof(text.replace('index 3', 'index 4'), leaves[3]!, options), code('proof-failed'), 'another index');
  t.throws(() => verifyTlogProof(text, leaves[3]!, { ...options, minCosignatures: 2 }), code('not-enough-cosignatures'));
  t.throws(() => verifyTlogProof(text, leaves[3]!, { ...options, origin: 'herbtrace.example/other' }), code('wrong-origin'));
  t.throws(() => verifyTlogProof(text, leaves[3]!, { ...options, logVerifiers: [noteVerifier(other.verifierKey)] }), code('unverified-note'));
  const lines = text.split('\n');
  const dropped = [...lines.slice(0, 3), ...lines.slice(4)].join('\n');
  t.throws(() => verifyTlogProof(dropped, leaves[3]!, options), code('proof-failed'), 'a proof line removed');

  const bad: Array<[string, string]> = [
    [text.replace('c2sp.org/tlog-proof@v1', 'c2sp.org/tlog-proof@v2'), 'another header'],
    [text.replace('index 3', 'index 03'), 'a leading zero'],
    [text.replace('index 3', 'index  3'), 'two spaces'],
    [text.replace('index 3\n', ''), 'no index line'],
    [text.replace('extra bG90IDIwMjQtSkwtMDAwMw==', 'extra '), 'an empty extra'],
    [text.replace('extra bG90IDIwMjQtSkwtMDAwMw==', 'extra bG90IDIwMjQtSkwtMDAwMw'), 'extra without padding'],
    [text.replace(/\nindex 3\n[^\n]{4}/, '\nindex 3\n!!!!'), 'a proof line that is not base64'],
    [text.replace(/\nindex 3\n[A-Za-z0-9+/=]{44}\n/, `\nindex 3\n${encodeBase64(new Uint8Array(31))}\n`), 'a 31-byte proof hash'],
    ['c2sp.org/tlog-proof@v1\nindex 3\n', 'no checkpoint'],
    [text.replace('\n\nherbtrace.example/log\n10\n', '\n\nherbtrace.example/log\n010\n'), 'a malformed checkpoint'],
  ];
  for (const [proofText, what] of bad) t.throws(() => parseTlogProof(proofText), TlogError, what);
  t.throws(() => formatTlogProof({ index: -1, proof: [], checkpoint: note }), code('malformed-proof'));
  t.throws(() => formatTlogProof({ index: 1, proof: [new Uint8Array(31)], checkpoint: note }), code('malformed-proof'));
});
