/** cloudpartner migrate-store — copy everything of one store into an empty one (e.g. SQLite into PostgreSQL). */
import { parseArgs } from 'node:util';
import { OUTPUT_OPTIONS, fail, printJson, wantsJson } from './local.ts';

export async function migrateStoreCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { from: { type: 'string' }, to: { type: 'string' }, ...OUTPUT_OPTIONS }, strict: true });
  const json = wantsJson(values);
  if (!values.from || !values.to) return fail('usage: cloudpartner migrate-store --from <data dir | postgres://…> --to <data dir | postgres://…>');
  const { loadSecretKey, openStore } = await import('../../store/open.ts');
  const { CopyError, copyStore } = await import('../../store/copy.ts');
  const location = (where: string) => (/^postgres(ql)?:\/\//.test(where) ? { dataDir: '.', databaseUrl: where } : { dataDir: where });
  const source = location(values.from);
  const sourceKey = process.env['CLOUDPARTNER_SECRET_KEY'] || undefined;
  const from = await openStore({ ...source, secretKey: sourceKey });
  try {
    // The destination seals with the configured key, else with the very key of the source.
    const key = sourceKey ?? loadSecretKey({ dataDir: source.dataDir }).toString('base64');
    const to = await openStore({ ...location(values.to), secretKey: key });
    try {
      const report = await copyStore(from, to);
      if (json) {
        printJson({ ...report, sealedWith: sourceKey ? 'CLOUDPARTNER_SECRET_KEY' : `${source.dataDir}/secret.key` });
        return 0;
      }
      process.stdout.write(
        `copied ${report.publishers} publishers, ${report.offers} offers (${report.versions} versions, ${report.operations} operations) and ${report.tokens} access tokens\n`,
      );
      if (!sourceKey) {
        process.stderr.write(
          `secret values are sealed with the key in ${source.dataDir}/secret.key: run every instance with CLOUDPARTNER_SECRET_KEY set to its content\n`,
        );
      }
      return 0;
    } finally {
      await to.close();
    }
  } catch (error) {
    if (error instanceof CopyError) return fail(error.message);
    throw error;
  } finally {
    await from.close();
  }
}
