// Field checks for incoming requests. Problems are collected per request and thrown as one
// invalid-argument DomainError whose message names each field (`pod.uid: required; node: …`).
import { DomainError } from '@ipledger/domain';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export class RequestProblems {
  private readonly problems: { field: string; message: string }[] = [];

  add(field: string, message: string): void {
    this.problems.push({ field, message });
  }

  throwIfAny(): void {
    if (this.problems.length === 0) {
      return;
    }
    const message = this.problems.map((p) => `${p.field}: ${p.message}`).join('; ');
    throw new DomainError('invalid-argument', message, {
      field: this.problems[0].field,
      fields: this.problems.map((p) => p.field),
    });
  }
}

/** The text of a string field; absent, null and non-strings read as ''. */
export function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export function present(value: unknown): boolean {
  return text(value) !== '';
}

export function checkRequired(problems: RequestProblems, field: string, value: unknown, max = 253): string {
  const v = text(value);
  if (v === '') {
    problems.add(field, 'required');
  } else if (v.length > max) {
    problems.add(field, `longer than ${max} characters`);
  }
  return v;
}

export function checkSubdomain(problems: RequestProblems, field: string, value: unknown): string {
  const v = text(value);
  if (v === '') {
    problems.add(field, 'required');
  } else if (!DNS1123_SUBDOMAIN.test(v)) {
    problems.add(field, 'must be a DNS-1123 subdomain');
  }
  return v;
}

export function checkLabel(problems: RequestProblems, field: string, value: unknown): string {
  const v = text(value);
  if (v === '') {
    problems.add(field, 'required');
  } else if (!DNS1123_LABEL.test(v)) {
    problems.add(field, 'must be a DNS-1123 label');
  }
  return v;
}

export function checkPattern(
  problems: RequestProblems,
  field: string,
  value: unknown,
  pattern: RegExp,
  expected: string,
): string {
  const v = text(value);
  if (v === '') {
    problems.add(field, 'required');
  } else if (!pattern.test(v)) {
    problems.add(field, `not ${expected}`);
  }
  return v;
}

export function checkIpv4(problems: RequestProblems, field: string, value: unknown): string {
  return checkPattern(problems, field, value, IPV4, 'an IPv4 address');
}

/** An optional RFC 3339 time, normalised to UTC (`…Z`); null when absent. */
export function checkOptionalTime(problems: RequestProblems, field: string, value: unknown): string | null {
  const v = text(value);
  if (v === '') {
    return null;
  }
  const ms = RFC3339.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(ms)) {
    problems.add(field, 'not an RFC 3339 time');
    return null;
  }
  return new Date(ms).toISOString();
}
