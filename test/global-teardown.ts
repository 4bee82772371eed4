export default async function globalTeardown(): Promise<void> {
  const infra = (globalThis as { __stampedeInfra?: { stop(): Promise<void> } }).__stampedeInfra;
  await infra?.stop();
}
