// GITHUB_APP_PRIVATE_KEY as people actually store it → a PEM that @octokit/auth-app accepts.
// Errors describe only the value's shape (header line, line and character counts): the key
// material never reaches a message.
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from "node:crypto";
import type SemanticReleaseError from "@semantic-release/error";
import { getError } from "../errors/get-error.js";
import type { PrivateKeyProblem } from "../errors/config.js";

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
const BEGIN_LINE = /-----BEGIN ([A-Z0-9 ]+)-----/;
const SSH_PUBLIC_KEY = /^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-\S+) /;

/**
 * Accepts PKCS#1 (`BEGIN RSA PRIVATE KEY`) and PKCS#8 (`BEGIN PRIVATE KEY`) PEM, with newlines written
 * as a literal `\n`, Windows line ends, surrounding quotes or whitespace, the line breaks replaced by
 * spaces, or the whole PEM base64-encoded. Returns the key as a PEM in the format it was given
 * (PKCS#1 stays PKCS#1, PKCS#8 stays PKCS#8; @octokit/auth-app takes both).
 * Throws EINVALIDPRIVATEKEY (a SemanticReleaseError) when the value is not an unencrypted RSA private key.
 */
export function normalizePrivateKey(raw: string | undefined): string {
  if (raw === undefined || unquote(raw) === "") throw invalid("empty", "");

  let text = unescapeNewlines(unquote(raw));
  let decoded = false;
  if (!text.includes("-----BEGIN")) {
    if (SSH_PUBLIC_KEY.test(text)) throw invalid("public-key", describe(text, false));
    const fromBase64 = decodeBase64Pem(text);
    if (fromBase64 === undefined) {
      // docs/github.md §6.3: a pasted PEM without its header is a common "could not be decoded" cause
      throw invalid("no-pem", describe(text, false));
    }
    text = fromBase64;
    decoded = true;
  }

  const blocks = [...text.matchAll(PEM_BLOCK)].map(([, label = "", body = ""]) => ({ label, body }));
  const header = BEGIN_LINE.exec(text)?.[1];
  if (blocks.length === 0) {
    // A BEGIN line without its END line: classify what we can, else it was cut off.
    const problem = header === undefined ? "no-pem" : classifyLabel(header, text);
    if (problem !== "ok" && problem !== "no-pem") throw invalid(problem, describe(text, decoded, header));
    throw invalid(header === undefined ? "no-pem" : "truncated", describe(text, decoded, header));
  }
  // A file may hold several blocks (a certificate and its key): prefer a private key block.
  const block = blocks.find((b) => /PRIVATE KEY$/.test(b.label)) ?? blocks[0]!;
  const shape = describe(text, decoded, block.label);
  const problem = classifyLabel(block.label, block.body);
  if (problem !== "ok") throw invalid(problem, shape);

  // Rebuild the PEM from its parts: this repairs line breaks turned into spaces and stray indentation.
  const base64 = block.body.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64)) throw invalid("garbled", shape);
  const pem = `-----BEGIN ${block.label}-----\n${base64.replace(/.{1,64}/g, "$&\n")}-----END ${block.label}-----\n`;

  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: "pem" });
  } catch {
    throw invalid("garbled", shape);
  }
  if (key.asymmetricKeyType !== "rsa") throw invalid("not-rsa", shape, key.asymmetricKeyType);
  if (!signsConsistently(key)) throw invalid("garbled", shape);
  return key.export({ format: "pem", type: block.label === "RSA PRIVATE KEY" ? "pkcs1" : "pkcs8" }).toString();
}

/**
 * OpenSSL parses an RSA key whose numbers were altered without complaint; GitHub then refuses every
 * JWT ("A JSON web token could not be decoded", docs/github.md §6.3). Signing with the private numbers
 * and verifying with the public ones (about 1 ms) catches that here, with a clearer error.
 */
function signsConsistently(key: KeyObject): boolean {
  try {
    const probe = Buffer.from("semantic-release-github-app key check");
    return verify("sha256", probe, createPublicKey(key), sign("sha256", probe, key));
  } catch {
    return false;
  }
}

function invalid(problem: PrivateKeyProblem, shape: string, keyType?: string): SemanticReleaseError {
  return getError("EINVALIDPRIVATEKEY", keyType === undefined ? { problem, shape } : { problem, shape, keyType });
}

/** Trim whitespace and any matching quotes around the value (from .env files and YAML). */
function unquote(value: string): string {
  let text = value.trim();
  while (text.length >= 2 && /^(["'`]).*\1$/s.test(text)) text = text.slice(1, -1).trim();
  return text;
}

/** Literal `\n` / `\r\n` (backslash, letter) and Windows line ends → `\n`. */
function unescapeNewlines(text: string): string {
  return text.replace(/\\r\\n|\\n|\\r/g, "\n").replace(/\r\n?/g, "\n");
}

/** The value as a base64-encoded PEM, decoded; undefined when it is not one. */
function decodeBase64Pem(text: string): string | undefined {
  const compact = text.replace(/\s+/g, "");
  if (compact.length === 0 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) return undefined;
  const decoded = unescapeNewlines(unquote(Buffer.from(compact, compact.includes("-") || compact.includes("_") ? "base64url" : "base64").toString("utf8")));
  return decoded.includes("-----BEGIN") ? decoded : undefined;
}

/** What a PEM label (and its headers) says about the content. */
function classifyLabel(label: string, body: string): PrivateKeyProblem | "ok" {
  if (label === "OPENSSH PRIVATE KEY") return "openssh";
  if (label === "ENCRYPTED PRIVATE KEY" || /Proc-Type:\s*4,\s*ENCRYPTED/i.test(body)) return "encrypted";
  if (/CERTIFICATE/.test(label)) return "certificate";
  if (/PUBLIC KEY$/.test(label)) return "public-key";
  if (label === "EC PRIVATE KEY" || label === "DSA PRIVATE KEY") return "not-rsa";
  if (label === "RSA PRIVATE KEY" || label === "PRIVATE KEY") return "ok";
  return "unsupported";
}

/** The shape of the value, safe to show: its header line (not secret), line and character counts. */
function describe(text: string, decoded: boolean, label?: string): string {
  const lines = text.split("\n").filter((line) => line.trim() !== "").length;
  const what = label === undefined ? "a value" : `a PEM starting with \`-----BEGIN ${label}-----\``;
  const sshPublic = label === undefined && SSH_PUBLIC_KEY.test(text) ? " in OpenSSH public key form (`ssh-…`)" : "";
  return `${decoded ? "after base64 decoding, " : ""}${what}${sshPublic} (${lines} ${lines === 1 ? "line" : "lines"}, ${text.length} characters)`;
}
