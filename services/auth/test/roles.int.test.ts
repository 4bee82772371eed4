import { http } from '@stampede/devkit';
import { decodeJwt } from 'jose';
import { login, newUser, startAuth, uniqueEmail, whoAmI, type AuthUnderTest } from './support';

describe('roles and account reads', () => {
  const adminEmail = uniqueEmail('admin');
  const adminPassword = `Adm1n-${Math.random().toString(36).slice(2)}-pass`;
  let auth: AuthUnderTest;
  let admin: { id: string; token: string };
  beforeAll(async () => {
    auth = await startAuth({ ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: adminPassword });
    const res = await login(auth.url, adminEmail, adminPassword);
    expect(res.status).toBe(200);
    admin = { id: String(decodeJwt(res.body.accessToken).sub), token: res.body.accessToken };
  });
  afterAll(() => auth?.stop());

  const putRoles = (id: string, roles: unknown, token: string) => http('PUT', `${auth.url}/users/${id}/roles`, { token, body: { roles } });

  it('the configured initial admin logs in with the ADMIN role', () => {
    expect(decodeJwt(admin.token).roles).toEqual(['USER', 'ADMIN']);
  });

  it('when a USER tries to change roles, then 403 FORBIDDEN and the roles stay', async () => {
    const u = await newUser(auth.url);
    const res = await putRoles(u.id, ['USER', 'ADMIN'], u.accessToken);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    const me = await whoAmI(auth.url, u.id, u.accessToken);
    expect(me.status).toBe(200);
    expect(me.body.roles).toEqual(['USER']);
  });

  it('when the roles call has no token, then 401', async () => {
    const u = await newUser(auth.url);
    expect((await http('PUT', `${auth.url}/users/${u.id}/roles`, { body: { roles: ['ADMIN'] } })).status).toBe(401);
  });

  it("when an ADMIN promotes a user to OPERATOR, then the user's old session is revoked and the next login carries OPERATOR", async () => {
    const u = await newUser(auth.url);
    const res = await putRoles(u.id, ['USER', 'OPERATOR'], admin.token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: u.id, roles: ['USER', 'OPERATOR'] });
    expect((await whoAmI(auth.url, u.id, u.accessToken)).status).toBe(401);
    expect((await http('POST', `${auth.url}/auth/refresh`, { body: { refreshToken: u.refreshToken } })).status).toBe(401);
    const again = await login(auth.url, u.email);
    expect(decodeJwt(again.body.accessToken).roles).toEqual(['USER', 'OPERATOR']);
    // The admin's own session is untouched.
    expect((await whoAmI(auth.url, admin.id, admin.token)).status).toBe(200);
  });

  it.each([
    ['an unknown role', ['USER', 'ROOT']],
    ['no roles', []],
    ['repeated roles', ['USER', 'USER']],
    ['not an array', 'ADMIN'],
  ])('when the roles body has %s, then 400 naming roles and nothing changes', async (_what, roles) => {
    const u = await newUser(auth.url);
    const res = await putRoles(u.id, roles, admin.token);
    expect(res.status).toBe(400);
    expect(res.body.error.details.fields[0].field).toMatch(/^roles/);
    expect((await whoAmI(auth.url, u.id, u.accessToken)).body.roles).toEqual(['USER']);
  });

  it('when the user does not exist, then 404; when the id is not a UUID, then 400', async () => {
    expect((await putRoles('00000000-0000-4000-8000-000000000000', ['USER'], admin.token)).status).toBe(404);
    const bad = await putRoles('42', ['USER'], admin.token);
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields[0].field).toBe('id');
  });

  it('when an ADMIN would remove their own ADMIN role, then 409 and they stay ADMIN', async () => {
    const res = await putRoles(admin.id, ['USER'], admin.token);
    expect(res.status).toBe(409);
    expect((await whoAmI(auth.url, admin.id, admin.token)).body.roles).toContain('ADMIN');
  });

  it('GET /users/:id: self and ADMIN and AUDITOR may read, another USER gets 403, never the password hash', async () => {
    const a = await newUser(auth.url);
    const b = await newUser(auth.url);
    const self = await whoAmI(auth.url, a.id, a.accessToken);
    expect(self.status).toBe(200);
    expect(self.body).toMatchObject({ id: a.id, email: a.email, roles: ['USER'], identities: [] });
    expect(JSON.stringify(self.body)).not.toMatch(/argon2|password/i);
    const peer = await whoAmI(auth.url, a.id, b.accessToken);
    expect(peer.status).toBe(403);
    expect(peer.body.error.code).toBe('FORBIDDEN');
    expect((await whoAmI(auth.url, a.id, admin.token)).status).toBe(200);

    const auditor = await newUser(auth.url);
    expect((await putRoles(auditor.id, ['AUDITOR'], admin.token)).status).toBe(200);
    const auditorLogin = await login(auth.url, auditor.email);
    expect((await whoAmI(auth.url, a.id, auditorLogin.body.accessToken)).status).toBe(200);
    expect((await putRoles(a.id, ['ADMIN'], auditorLogin.body.accessToken)).status).toBe(403);
  });
});
