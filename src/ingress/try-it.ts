/**
 * The shell lines `npm run dev` prints so a newcomer can send a first signed event by pasting them: a
 * hire effective now, its standing, and the lifecycle it started. POSIX shell (bash, zsh, dash), signed
 * with `node` (already there, unlike `xxd`), with the event id and the dates taken when pasted, so the
 * same lines work again later. The integration tests run them as printed.
 */

export interface TryIt {
  /** Where the ingress listens, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /**
   * The secret as a shell word: a quoted literal for the public development secret, or an expansion of
   * the sender's own variable (never a real secret printed to a terminal).
   */
  secretWord: string;
  /** The HR source the event claims. */
  source: string;
  employeeNumber: string;
  attributes: Record<string, string>;
}

/** Text inside a single-quoted shell word: a single quote becomes `'\''`. */
const literal = (text: string): string => text.replace(/'/g, `'\\''`);
const quoted = (text: string): string => `'${literal(text)}'`;

/**
 * One single-quoted shell word of fixed text with expansions spliced in (`{ expand: '$EVENT' }`): the
 * fixed parts stay as written whatever they hold, the expansions are filled in when pasted.
 */
function word(parts: ReadonlyArray<string | { expand: string }>): string {
  return `'${parts.map((part) => (typeof part === 'string' ? literal(part) : `'"${part.expand}"'`)).join('')}'`;
}

/** The node one-liner behind `sign ID TIMESTAMP BODY`: the `webhook-signature` value, under the first secret. */
const SIGNER =
  'const c=require("node:crypto");const[s,i,t,b]=process.argv.slice(1);' +
  'console.log("v1,"+c.createHmac("sha256",Buffer.from(s.split(",")[0].trim().slice(6),"base64"))' +
  '.update(i+"."+t+"."+b).digest("base64"))';

/** The lines to paste, in order; `$EVENT` carries the event id from the POST to the GET. */
export function tryItCommands(options: TryIt): string[] {
  const { url, source, employeeNumber } = options;
  const body = word([
    '{"id":"',
    { expand: '$EVENT' },
    `","source":${JSON.stringify(source)},"type":"hire","identity":{"employeeNumber":${JSON.stringify(employeeNumber)}},`,
    '"effectiveAt":"',
    { expand: '$(date -u +%Y-%m-%dT%H:%M:%SZ)' },
    `","attributes":${JSON.stringify(options.attributes)}}`,
  ]);
  return [
    `SECRET=${options.secretWord}`,
    `sign() { node -e ${quoted(SIGNER)} "$SECRET" "$@"; }`,
    `EVENT="try-$(date +%s)"; TS=$(date +%s)`,
    `BODY=${body}`,
    `curl -sS -i -w '\\n' ${url}/v1/events -H 'content-type: application/json' -H "webhook-id: $EVENT" ` +
      `-H "webhook-timestamp: $TS" -H "webhook-signature: $(sign "$EVENT" "$TS" "$BODY")" --data-binary "$BODY"`,
    `TS=$(date +%s); curl -sS -i -w '\\n' "${url}/v1/events/${encodeURIComponent(source)}/$EVENT" -H "webhook-id: get-$TS" ` +
      `-H "webhook-timestamp: $TS" -H "webhook-signature: $(sign "get-$TS" "$TS" '')"`,
    `npx iscflow identity show ${quoted(employeeNumber)}`,
  ];
}
