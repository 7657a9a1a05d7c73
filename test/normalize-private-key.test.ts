import { test } from "node:test";
import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, generateKeyPairSync, createSign, createVerify } from "node:crypto";
import { normalizePrivateKey } from "../lib/token/private-key.js";

// Keys are generated at run time: nothing for secret scanners to find in the repository.
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pkcs1 = rsa.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
const pkcs8 = rsa.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const spki = rsa.publicKey.export({ type: "spki", format: "pem" }).toString();
const pkcs1Public = rsa.publicKey.export({ type: "pkcs1", format: "pem" }).toString();
const encryptedPkcs8 = rsa.privateKey.export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" }).toString();
const encryptedPkcs1 = rsa.privateKey.export({ type: "pkcs1", format: "pem", cipher: "aes-256-cbc", passphrase: "pw" }).toString();
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const ecSec1 = ec.privateKey.export({ type: "sec1", format: "pem" }).toString();
const ecPkcs8 = ec.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const ed25519Pkcs8 = generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const sshPublic = `ssh-rsa ${rsa.publicKey.export({ format: "jwk" }).n} user@host`;

const body = (pem: string) => pem.split("\n").filter((line) => line !== "" && !line.startsWith("-----")).join("");

/** The error texts contain no 12-character window of any secret given. */
function assertNoSecret(text: string, ...secrets: string[]): void {
  for (const secret of secrets) {
    const compact = secret.replace(/\s+/g, "");
    for (let i = 0; i + 12 <= compact.length; i += 6) {
      const window = compact.slice(i, i + 12);
      if (window.includes("-----") || /^[A-Z ]+$/.test(window)) continue; // header words are not secret
      assert.ok(!text.includes(window), `error text leaks key material (${i})`);
    }
  }
}

function signsLikeOriginal(pem: string): void {
  const signature = createSign("RSA-SHA256").update("payload").sign(createPrivateKey(pem));
  assert.ok(createVerify("RSA-SHA256").update("payload").verify(rsa.publicKey, signature), "normalized key is the same key");
}

const goodCases: Array<{ title: string; input: string; format: "pkcs1" | "pkcs8" }> = [
  { title: "PKCS#1 PEM as is", input: pkcs1, format: "pkcs1" },
  { title: "PKCS#8 PEM as is", input: pkcs8, format: "pkcs8" },
  { title: "newlines escaped as a literal \\n", input: pkcs1.replace(/\n/g, "\\n"), format: "pkcs1" },
  { title: "CRLF line ends", input: pkcs8.replace(/\n/g, "\r\n"), format: "pkcs8" },
  { title: "escaped \\r\\n", input: pkcs1.replace(/\n/g, "\\r\\n"), format: "pkcs1" },
  { title: "double quotes and surrounding whitespace", input: `  "${pkcs1}"\n`, format: "pkcs1" },
  { title: "single quotes around an escaped PEM", input: `'${pkcs8.trim().replace(/\n/g, "\\n")}'`, format: "pkcs8" },
  { title: "base64-encoded PEM", input: Buffer.from(pkcs1).toString("base64"), format: "pkcs1" },
  { title: "base64-encoded PEM wrapped at 76 characters", input: Buffer.from(pkcs8).toString("base64").replace(/.{76}/g, "$&\n"), format: "pkcs8" },
  { title: "line breaks flattened to spaces", input: pkcs1.trim().replace(/\n/g, " "), format: "pkcs1" },
  { title: "indented lines (YAML block)", input: pkcs1.replace(/^/gm, "    "), format: "pkcs1" },
  { title: "a certificate before the key in the same file", input: `-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n${pkcs8}`, format: "pkcs8" },
];

for (const { title, input, format } of goodCases) {
  test(`Accept a private key: ${title}`, () => {
    const pem = normalizePrivateKey(input);
    assert.match(pem, format === "pkcs1" ? /^-----BEGIN RSA PRIVATE KEY-{5}\n/ : /^-----BEGIN PRIVATE KEY-{5}\n/);
    assert.match(pem, /-----END (RSA )?PRIVATE KEY-----\n$/);
    signsLikeOriginal(pem);
  });
}

const truncatedPkcs1 = pkcs1.split("\n").slice(0, 10).join("\n");
const garbledPkcs1 = pkcs1.replace(body(pkcs1).slice(70, 110), "A".repeat(40)); // inside the modulus, within line 2
assert.notEqual(garbledPkcs1, pkcs1);
const droppedLines = pkcs1.split("\n").filter((_, i) => i % 5 !== 3).join("\n");

const badCases: Array<{ title: string; input: string | undefined; found: RegExp; fix: RegExp; secrets?: string[] }> = [
  { title: "undefined", input: undefined, found: /is empty/, fix: /secret/ },
  { title: "an empty string", input: "", found: /is empty/, fix: /\.pem/ },
  { title: "only whitespace and quotes", input: ' "" \n', found: /is empty/, fix: /forks/ },
  { title: "a PEM without its END line", input: truncatedPkcs1, found: /BEGIN RSA PRIVATE KEY.*10 lines.*END.*missing|missing/s, fix: /END/, secrets: [truncatedPkcs1] },
  { title: "a PEM cut after its header", input: `-----BEGIN PRIVATE KEY${"-----"}\nMIIE`, found: /cut off/, fix: /END/ },
  { title: "a PEM whose data was altered", input: garbledPkcs1, found: /does not decode/, fix: /again/, secrets: [garbledPkcs1] },
  { title: "a PEM with lines missing", input: droppedLines, found: /does not decode/, fix: /again/, secrets: [droppedLines] },
  { title: "a PEM with characters that are not base64", input: pkcs1.replace(/^(.{40})/m, "$1*?!"), found: /does not decode/, fix: /base64/, secrets: [pkcs1] },
  { title: "an encrypted PKCS#8 key", input: encryptedPkcs8, found: /ENCRYPTED PRIVATE KEY.*passphrase/s, fix: /openssl pkey/, secrets: [encryptedPkcs8] },
  { title: "an encrypted PKCS#1 key (Proc-Type header)", input: encryptedPkcs1, found: /passphrase/, fix: /decrypt/, secrets: [encryptedPkcs1] },
  { title: "an OpenSSH private key", input: `-----BEGIN OPENSSH PRIVATE KEY${"-----"}\n${body(pkcs8)}\n-----END OPENSSH PRIVATE KEY-----\n`, found: /OpenSSH key/, fix: /Generate a private key/, secrets: [pkcs8] },
  { title: "a certificate", input: `-----BEGIN CERTIFICATE-----\n${body(spki)}\n-----END CERTIFICATE-----\n`, found: /certificate/, fix: /Private keys/, secrets: [spki] },
  { title: "an SPKI public key", input: spki, found: /public key/, fix: /private key/ },
  { title: "a PKCS#1 public key", input: pkcs1Public, found: /BEGIN RSA PUBLIC KEY.*public key/s, fix: /private key/ },
  { title: "an OpenSSH public key", input: sshPublic, found: /OpenSSH public key form/, fix: /private key/ },
  { title: "an EC key (SEC1)", input: ecSec1, found: /non-RSA|RS256/, fix: /RSA/, secrets: [ecSec1] },
  { title: "an EC key (PKCS#8)", input: ecPkcs8, found: /`ec` key.*RS256/s, fix: /RSA/, secrets: [ecPkcs8] },
  { title: "an Ed25519 key (PKCS#8)", input: ed25519Pkcs8, found: /`ed25519` key/, fix: /RSA/, secrets: [ed25519Pkcs8] },
  { title: "the base64 body without header and footer", input: body(pkcs1), found: /no `-----BEGIN/, fix: /BEGIN/, secrets: [pkcs1] },
  { title: "a random word", input: "my-app-key", found: /10 characters/, fix: /BEGIN/ },
  { title: "a token given as key", input: "ghp_0123456789abcdefghijABCDEFGHIJ012345", found: /not a base64-encoded PEM/, fix: /\.pem/, secrets: ["ghp_0123456789abcdefghijABCDEFGHIJ012345"] },
  { title: "base64 of something that is not a PEM", input: Buffer.from("hello world, not a key at all").toString("base64"), found: /no `-----BEGIN/, fix: /BEGIN/ },
  { title: "a PEM block that is not a key", input: "-----BEGIN PGP MESSAGE-----\nAAAA\n-----END PGP MESSAGE-----", found: /not a private key/, fix: /BEGIN RSA PRIVATE KEY/ },
];

for (const { title, input, found, fix, secrets = [] } of badCases) {
  test(`Throw EINVALIDPRIVATEKEY for ${title}`, () => {
    let thrown: unknown;
    try {
      normalizePrivateKey(input);
    } catch (error) {
      thrown = error;
    }
    assert.ok(thrown instanceof Error, "throws");
    const error = thrown as Error & { code?: string; details?: string; semanticRelease?: boolean };
    assert.equal(error.name, "SemanticReleaseError");
    assert.equal(error.code, "EINVALIDPRIVATEKEY");
    assert.equal(error.semanticRelease, true);
    assert.match(error.message, /^Invalid GITHUB_APP_PRIVATE_KEY: /);
    const details = error.details ?? "";
    const [expected = "", foundPart = "", fixPart = "", link = ""] = details.split("\n\n");
    assert.match(expected, /^\*\*Expected:\*\* .*unencrypted RSA key in PEM form/);
    assert.match(foundPart, /^\*\*Found:\*\* /);
    assert.match(foundPart, found);
    assert.match(fixPart, /^\*\*Fix:\*\* /);
    assert.match(fixPart, fix);
    assert.match(link, /\[EINVALIDPRIVATEKEY\]\(https:\/\/.*README\.md#einvalidprivatekey\)/);
    assertNoSecret(`${error.message}\n${details}`, body(pkcs1), body(pkcs8), ...secrets.map(body), ...(input ? [input.replace(/-----[A-Z ]+-----/g, "")] : []));
  });
}

test("Keep the key format: PKCS#8 is not converted to PKCS#1", () => {
  assert.equal(normalizePrivateKey(pkcs8), createPrivateKey(pkcs8).export({ type: "pkcs8", format: "pem" }));
  assert.equal(normalizePrivateKey(pkcs1), pkcs1);
});

test("The public key from a normalized key matches the original", () => {
  const fromEscaped = normalizePrivateKey(JSON.stringify(pkcs1).slice(1, -1));
  assert.equal(
    createPublicKey(fromEscaped).export({ type: "spki", format: "pem" }),
    spki,
  );
});
