import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const K6 = join(__dirname, '..', 'k6');

/** The k6 project as `npm run build` checks it (tsc -p loadtest/k6): @types/k6, no Node globals. */
function diagnostics(extraFile?: { name: string; text: string }): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(K6, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (!parsed) throw new Error('loadtest/k6/tsconfig.json cannot be read');
  const host = ts.createCompilerHost(parsed.options);
  const files = [...parsed.fileNames];
  if (extraFile) {
    const path = join(K6, extraFile.name);
    files.push(path);
    const read = host.readFile.bind(host);
    host.readFile = (f) => (f === path ? extraFile.text : read(f));
    host.fileExists = ((exists) => (f: string) => f === path || exists(f))(host.fileExists.bind(host));
  }
  const program = ts.createProgram(files, parsed.options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

describe('k6 scenarios', () => {
  it('when the scenarios are checked against @types/k6, then they type-check', () => {
    expect(readdirSync(K6).filter((f) => f.endsWith('.ts')).sort()).toEqual(['flash-sale.ts', 'journey.ts', 'login-storm.ts']);
    expect(diagnostics()).toEqual([]);
  });

  it('when a scenario misuses the k6 API or a Node global, then the check fails', () => {
    const errors = diagnostics({ name: 'broken.ts', text: "import http from 'k6/http';\nhttp.post(42);\nexport const b = Buffer.from('x');\n" });
    expect(errors.join('\n')).toMatch(/not assignable to parameter of type 'string \| HttpURL'/);
    expect(errors.join('\n')).toMatch(/Cannot find name 'Buffer'/);
  });
});
