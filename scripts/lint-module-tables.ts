// A module's SQL never names another module's tables: part of `npm run lint`. ESLint already
// forbids importing another module's schema or store; this catches the same thing written as
// SQL text (`join person_records r`). Use what the owner publishes instead (recordsSeen, …).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const modulesFolder = path.join(import.meta.dirname, '..', 'src', 'modules');
const modules = readdirSync(modulesFolder, { withFileTypes: true }).filter((entry) => entry.isDirectory());
const sourceOf = (module: string, file: string) => readFileSync(path.join(modulesFolder, module, file), 'utf8');

/** Each table, and the module whose schema.ts declares it. */
const owners = new Map<string, string>();
for (const module of modules) {
  const files = readdirSync(path.join(modulesFolder, module.name));
  if (!files.includes('schema.ts')) continue;
  for (const match of sourceOf(module.name, 'schema.ts').matchAll(/pgTable\(\s*'([a-z_]+)'/g))
    if (match[1]) owners.set(match[1], module.name);
}

const problems: string[] = [];
for (const module of modules) {
  for (const file of readdirSync(path.join(modulesFolder, module.name))) {
    if (!file.endsWith('.ts') || file === 'schema.ts' || file.endsWith('.test.ts')) continue;
    sourceOf(module.name, file)
      .split('\n')
      .forEach((line, index) => {
        const code = line.trim();
        if (code.startsWith('//') || code.startsWith('*')) return;
        for (const match of code.matchAll(/\b(?:from|join|update|into)\s+([a-z_]+)\b/g)) {
          const owner = match[1] ? owners.get(match[1]) : undefined;
          if (owner && owner !== module.name)
            problems.push(
              `src/modules/${module.name}/${file}:${index + 1}: names ${match[1]}, a table of ${owner}: use what ${owner}/service.ts publishes`,
            );
        }
      });
  }
}
for (const problem of problems) process.stderr.write(`${problem}\n`);
process.stdout.write(
  `Module tables: ${owners.size} tables in ${modules.length} modules, ${problems.length} read from outside\n`,
);
if (problems.length > 0) process.exit(1);
