import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { lookAlikeProblem, normalizeEmail, EmailList } from './email';

class EmailsBody {
  @EmailList()
  emails!: unknown;
}

function errorsFor(emails: unknown): string[] {
  const body = plainToInstance(EmailsBody, { emails });
  return validateSync(body).flatMap((error) => Object.values(error.constraints ?? {}));
}

describe('email rules', () => {
  it('normalises case, surrounding space and Unicode composition', () => {
    expect(normalizeEmail('  Ada@Example.COM ')).toBe('ada@example.com');
    const decomposed = 'cafe\u0301@example.com';
    const precomposed = 'caf\u00e9@example.com';
    expect(decomposed).not.toBe(precomposed);
    expect(normalizeEmail(decomposed)).toBe(normalizeEmail(precomposed));
  });

  it.each([
    ['a zero-width space', 'ada\u200b@example.com'],
    ['a zero-width joiner', 'ad\u200da@example.com'],
    ['a right-to-left override', 'ada\u202e@example.com'],
    ['a byte order mark inside', 'ad\ufeffa@example.com'],
    ['a control character', 'ada\u0007@example.com'],
    ['fullwidth letters', '\uff41\uff44\uff41@example.com'],
    ['a non-breaking space', 'ada\u00a0lovelace@example.com'],
  ])('refuses %s', (_what, email) => {
    expect(lookAlikeProblem(normalizeEmail(email))).toBeDefined();
    expect(errorsFor([email]).join(' ')).toMatch(/emails/);
  });

  it('accepts international addresses in their plain form', () => {
    expect(lookAlikeProblem(normalizeEmail('caf\u00e9@example.com'))).toBeUndefined();
    expect(errorsFor(['caf\u00e9@example.com', 'ada@example.com'])).toEqual([]);
  });

  it('treats a decomposed and a precomposed spelling as the same address (no repeats)', () => {
    expect(errorsFor(['cafe\u0301@example.com', 'caf\u00e9@example.com']).join(' ')).toMatch(
      /same address twice/,
    );
  });
});
