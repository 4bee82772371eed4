import { http, testDatabaseUrl } from '@stampede/devkit';
import { Client } from 'pg';
import { PASSWORD, startAuth, uniqueEmail, type AuthUnderTest } from './support';

describe('sign-up (POST /users)', () => {
  let auth: AuthUnderTest;
  let db: Client;
  beforeAll(async () => {
    auth = await startAuth();
    db = new Client({ connectionString: testDatabaseUrl('auth') });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await auth?.stop();
  });

  const rowsFor = async (email: string) =>
    (await db.query('select id, email, roles, password_hash from users where lower(email) = lower($1)', [email])).rows;

  it('when the email and password are valid, then 201 with the account and an argon2id hash stored', async () => {
    const email = uniqueEmail('New.User');
    const res = await http('POST', `${auth.url}/users`, { body: { email, password: PASSWORD } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ email: email.toLowerCase(), roles: ['USER'] });
    expect(res.body.password).toBeUndefined();
    expect(res.body.passwordHash).toBeUndefined();
    const [row] = await rowsFor(email);
    expect(row.id).toBe(res.body.id);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);
    expect(row.password_hash).not.toContain(PASSWORD);
  });

  it('when the same email comes again in another letter case, then 409 and still one account', async () => {
    const email = uniqueEmail('case');
    expect((await http('POST', `${auth.url}/users`, { body: { email, password: PASSWORD } })).status).toBe(201);
    for (const variant of [email.toUpperCase(), ` ${email.replace('case', 'CaSe')} `]) {
      const res = await http('POST', `${auth.url}/users`, { body: { email: variant, password: 'another-pass-77' } });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('ALREADY_EXISTS');
    }
    expect(await rowsFor(email)).toHaveLength(1);
  });

  it('when two sign-ups race for one email, then exactly one is created', async () => {
    const email = uniqueEmail('race');
    const results = await Promise.all(
      [email, email.toUpperCase(), email, email.toUpperCase()].map((e) => http('POST', `${auth.url}/users`, { body: { email: e, password: PASSWORD } })),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    expect(await rowsFor(email)).toHaveLength(1);
  });

  it.each([
    ['an invalid email', { email: 'not-an-email', password: PASSWORD }, 'email'],
    ['a missing email', { password: PASSWORD }, 'email'],
    ['a short password', { email: uniqueEmail(), password: 'short1' }, 'password'],
    ['a password without digits or symbols', { email: uniqueEmail(), password: 'onlylettershere' }, 'password'],
    ['a repetitive password', { email: uniqueEmail(), password: 'aaaa1111aaaa1111' }, 'password'],
    ['a password that is too long', { email: uniqueEmail(), password: 'a1'.repeat(100) }, 'password'],
    ['a non-string password', { email: uniqueEmail(), password: 1234567890123 }, 'password'],
  ] as [string, Record<string, unknown>, string][])('when the body has %s, then 400 naming the field and nothing is written', async (_what, body, field) => {
    const res = await http('POST', `${auth.url}/users`, { body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_INPUT');
    expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toContain(field);
    expect(res.body.error.message).toContain(field);
    const email = (body as { email?: unknown }).email;
    if (typeof email === 'string') expect(await rowsFor(email)).toHaveLength(0);
  });

  it('when the password contains the email name, then 400 on password and nothing is written', async () => {
    const email = uniqueEmail('johnsmith');
    const res = await http('POST', `${auth.url}/users`, { body: { email, password: `${email.split('@')[0]}!1` } });
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields[0].field).toBe('password');
    expect(await rowsFor(email)).toHaveLength(0);
  });

  it('when the body is not JSON, then 400 and nothing is written', async () => {
    const res = await http('POST', `${auth.url}/users`, { raw: '{"email": ' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_INPUT');
  });
});
