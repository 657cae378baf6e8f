import type { z } from 'zod';

/**
 * A schema issue as the rule a person can follow ("a URL starting with http:// or https://", "at most
 * 256 characters"), never quoting the value that broke it. Schemas that spell their rule out (a regex
 * with a message such as "an AWS region such as us-east-1") are quoted as they say it.
 */
export function ruleOf(issue: z.core.$ZodIssue | undefined): string {
  if (issue === undefined) return 'of the expected form';
  switch (issue.code) {
    case 'invalid_type':
      // zod does not keep the input in issues (it may be a secret); its message says whether it was missing.
      return issue.message.endsWith('received undefined') ? 'set' : `a ${issue.expected === 'string' ? 'text' : issue.expected}`;
    case 'too_small':
      return issue.origin === 'string' ? (Number(issue.minimum) <= 1 ? 'not empty' : `at least ${issue.minimum} characters long`) : `at least ${issue.minimum}`;
    case 'too_big':
      return issue.origin === 'string' ? `at most ${issue.maximum} characters long` : `at most ${issue.maximum}`;
    case 'invalid_format':
      if (issue.format === 'url') return 'a URL starting with http:// or https://';
      if (issue.format === 'regex' && !issue.message.startsWith('Invalid')) return issue.message;
      return issue.pattern === undefined ? `a valid ${issue.format}` : `of the form ${issue.pattern}`;
    case 'invalid_value':
      return `one of ${issue.values.map(String).join(', ')}`;
    case 'unrecognized_keys':
      return `free of unknown fields (${issue.keys.join(', ')})`;
    default:
      return 'of the expected form';
  }
}

/** The path of an issue as a field name ("address", "tls.caFile"); undefined for the object as a whole. */
export function fieldOf(issue: z.core.$ZodIssue | undefined): string | undefined {
  return issue === undefined || issue.path.length === 0 ? undefined : issue.path.map(String).join('.');
}
