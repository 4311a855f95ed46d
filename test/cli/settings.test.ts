/**
 * The settings of `serve` are declared once (SERVE_SETTINGS in src/config.ts): the flags it
 * parses, its `--help`, the README's configuration table and the test environment come from there.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, SERVE_SETTINGS, SETTING_ENVIRONMENT, resolveServeConfig, serveFlagOptions, settingsTable } from '../../src/config.ts';
import { ROOT, cleanEnv, runCli } from '../helpers/processes.ts';

describe('settings, declared once', () => {
  it('the README configuration table is the settings table', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /<!-- settings:start -->\n([\s\S]*?)\n<!-- settings:end -->/.exec(readme);
    assert.ok(block, 'README.md has the settings block');
    assert.equal(block[1], settingsTable(), `README.md's configuration table differs from SERVE_SETTINGS; it should read:\n${settingsTable()}`);
  });

  it('--help names every flag and environment variable, and serve accepts every flag', () => {
    const help = runCli(['--help'], cleanEnv()).stdout;
    const flags = Object.keys(serveFlagOptions());
    assert.ok(flags.length >= 20);
    for (const definition of Object.values(SERVE_SETTINGS)) {
      if ('flag' in definition && definition.flag) assert.match(help, new RegExp(`--${definition.flag}\\b`), definition.flag);
      if ('env' in definition && definition.env) assert.ok(help.includes(definition.env), definition.env);
    }
    const unknown = runCli(['serve', '--no-such-setting'], cleanEnv());
    assert.equal(unknown.status, 2);
  });

  it('a flag wins over its environment variable, which wins over the default; an empty variable is unset', () => {
    assert.equal(resolveServeConfig({}, {}).port, 8080);
    assert.equal(resolveServeConfig({}, {}).host, '127.0.0.1', 'not reachable from the network unless asked (D19)');
    assert.equal(resolveServeConfig({}, { PORT: '9000' }).port, 9000);
    assert.equal(resolveServeConfig({ port: '9100' }, { PORT: '9000' }).port, 9100);
    assert.equal(resolveServeConfig({}, { PORT: '' }).port, 8080);
    assert.deepEqual(resolveServeConfig({}, { CLOUDPARTNER_AUDIENCE: 'a, b' }).audiences, ['a', 'b']);
    assert.equal(resolveServeConfig({ demo: true }, {}).demo, true);
    assert.equal(resolveServeConfig({}, {}).sandbox, false);
    assert.equal(resolveServeConfig({}, { CLOUDPARTNER_SANDBOX: 'true' }).sandbox, true);
    assert.equal(resolveServeConfig({ sandbox: true }, { CLOUDPARTNER_SANDBOX: 'off' }).sandbox, true);
    assert.throws(() => resolveServeConfig({}, { CLOUDPARTNER_SANDBOX: 'maybe' }), ConfigError);
    assert.equal(resolveServeConfig({}, {}).stepLeaseMs, 10_000);
    assert.throws(() => resolveServeConfig({ 'clock-skew-seconds': '-3' }, {}), /--clock-skew-seconds\/CLOUDPARTNER_CLOCK_SKEW_SECONDS must be a whole number/);
    assert.throws(() => resolveServeConfig({ cert: join(ROOT, 'package.json') }, {}), ConfigError);
  });

  it('the test processes inherit none of the settings from the environment they run in', () => {
    const env = cleanEnv();
    for (const name of SETTING_ENVIRONMENT) assert.equal(env[name], undefined, name);
    assert.ok(SETTING_ENVIRONMENT.includes('CLOUDPARTNER_PUT_MODE') && SETTING_ENVIRONMENT.includes('DATABASE_URL'));
  });
});
