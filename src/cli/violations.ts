/**
 * An access change's violations in the words the user typed. The domain names each field by its path in
 * the change (`identityIds[0]`, `removeDate`), which is what an HTTP caller sent; the CLI built that change
 * from options, so each path is turned back into the option and the value it came from (`--for bob`).
 */
import type { Violation } from '../domain';

/** How the user named a field of the change, e.g. `identityIds[0]` -> `--for bob`; undefined: as it is. */
export type FieldLabel = (field: string) => string | undefined;

/** Fields and values a rule's explanation may mention besides its own field, as the options say them. */
const MENTIONS: ReadonlyArray<[RegExp, string]> = [
  [/\bremoveDate\b/g, '--remove-date'],
  [/\bstartDate\b/g, '--start-date'],
  [/\bREVOKE_ACCESS\b/g, '--revoke'],
];

/** One line per violation: `label: explanation (rule RULE).` */
export function describeViolations(violations: readonly Violation[], label: FieldLabel): string {
  return violations
    .map((v) => {
      const text = v.message.startsWith(`${v.field} `) ? v.message.slice(v.field.length + 1) : v.message;
      const said = MENTIONS.reduce((line, [word, option]) => line.replace(word, option), text);
      return `${label(v.field) ?? v.field}: ${said}`;
    })
    .join('\n');
}

/** What `iscflow request` was given, in the order it was typed. */
export interface TypedRequest {
  for: readonly string[];
  /** `--grant` or `--revoke`, and each of its values (`TYPE:ID`). */
  flag: '--grant' | '--revoke';
  items: readonly string[];
  removeDate?: string;
  startDate?: string;
}

/** `iscflow request`'s labels: each identity, item, date and the comment by its option and value. */
export function requestLabels(typed: TypedRequest): FieldLabel {
  const withValue = (option: string, value: string | undefined) =>
    value === undefined ? option : `${option} ${value}`;
  return (field) => {
    const identity = /^identityIds\[(\d+)\]$/.exec(field);
    if (identity) return withValue('--for', typed.for[Number(identity[1])]);
    const item = /^items\[(\d+)\](?:\.(type|id))?$/.exec(field);
    if (item) {
      const part = item[2] === undefined ? '' : ` (${item[2].toUpperCase()})`;
      return `${withValue(typed.flag, typed.items[Number(item[1])])}${part}`;
    }
    const named: Record<string, string> = {
      identityIds: '--for',
      items: typed.flag,
      removeDate: withValue('--remove-date', typed.removeDate),
      startDate: withValue('--start-date', typed.startDate),
      comment: '--comment',
    };
    return named[field];
  };
}
