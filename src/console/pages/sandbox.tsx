/**
 * The sandbox controls (a server started with --sandbox, and the sandbox admin token): fault rules,
 * the workflow clock, snapshots and reset, the notifications outbox and the request journal.
 */
import { useMemo, useState } from 'preact/hooks';
import type { CloudPartnerClient, NewFaultRule } from '../../client/index.ts';
import { ALL_STEP_IDS } from '../../domain/workflow.ts';
import { apiClient, type Session, setSandboxToken } from '../session.ts';
import { onSubmitted, ErrorMessage, Select, TableHead, Section, Time, jsonText, useLoad } from '../components.tsx';

export function SandboxPage({ session, onSession }: { session: Session; onSession: () => void }) {
  const [typed, setTyped] = useState('');
  if (!session.sandboxToken) {
    return (
      <>
        <h1>Sandbox</h1>
        <p>
          The sandbox controls take the sandbox admin token (<code>cloudpartner token create --sandbox-admin</code>; the demo prints one).
        </p>
        <form
          class="form"
          onSubmit={(e) => {
            e.preventDefault();
            setSandboxToken(typed.trim());
            onSession();
          }}
        >
          <label>
            Sandbox admin token
            <input type="password" name="sandboxToken" autoComplete="off" required value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />
          </label>
          <button type="submit" class="primary">
            Use this token
          </button>
        </form>
      </>
    );
  }
  return <SandboxControls token={session.sandboxToken} onForget={() => (setSandboxToken(undefined), onSession())} />;
}

function SandboxControls({ token, onForget }: { token: string; onForget: () => void }) {
  const client = useMemo(() => apiClient(token), [token]);
  const [error, setError] = useState<unknown>();
  const [refresh, setRefresh] = useState(0);
  const run = async (work: () => Promise<unknown>) => {
    setError(undefined);
    try {
      await work();
    } catch (caught) {
      setError(caught);
    }
    setRefresh((n) => n + 1);
  };
  return (
    <>
      <header class="offer-head">
        <h1>Sandbox</h1>
        <div class="actions">
          <button type="button" class="link" onClick={onForget}>
            Forget the sandbox token
          </button>
        </div>
      </header>
      <ErrorMessage error={error} />
      <Faults client={client} run={run} refresh={refresh} />
      <Clock client={client} run={run} refresh={refresh} />
      <Snapshots client={client} run={run} refresh={refresh} />
      <Outbox client={client} refresh={refresh} />
      <Journal client={client} refresh={refresh} />
    </>
  );
}

interface PanelProps {
  client: CloudPartnerClient;
  run: (work: () => Promise<unknown>) => Promise<void>;
  refresh: number;
}

function Faults({ client, run, refresh }: PanelProps) {
  const faults = useLoad(() => client.sandbox.listFaults(), [client, refresh]);
  const [form, setForm] = useState({ offerId: '', operation: 'publish', step: '', effect: 'fail', message: 'The VHD is not generalized.', times: '1' });
  const [json, setJson] = useState('{"match": {"method": "GET", "path": "/api/**"}, "effect": {"status": 503, "retryAfter": 1}, "times": 1}');
  const rule = (): NewFaultRule => ({
    match: {
      ...(form.offerId ? { offerId: form.offerId.trim() } : {}),
      operation: form.operation as 'publish' | 'golive',
      ...(form.step ? { step: form.step } : {}),
    },
    effect: form.effect === 'fail' ? { fail: { messages: [form.message] } } : { block: true },
    ...(form.times ? { times: Number(form.times) } : {}),
  });
  return (
    <Section title="Faults">
      <ErrorMessage error={faults.error} />
      <table>
        <TableHead columns={['Kind', 'Match', 'Effect', 'Times left', 'Hits', '']} />
        <tbody>
          {faults.data?.map((fault) => (
            <tr key={fault.id}>
              <td>{fault.kind}</td>
              <td>
                <code>{jsonText(fault.match)}</code>
              </td>
              <td>
                <code>{jsonText(fault.effect)}</code>
              </td>
              <td>{fault.times ?? '∞'}</td>
              <td>{fault.hits}</td>
              <td>
                <button type="button" class="danger" onClick={() => run(() => client.sandbox.removeFault(fault.id))}>
                  Remove rule
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="form inline" onSubmit={onSubmitted(() => run(() => client.sandbox.addFault(rule())))}>
        <h3>Make a workflow step fail or hold</h3>
        <label>
          Offer id <input name="faultOfferId" placeholder="any" value={form.offerId} onInput={(e) => setForm({ ...form, offerId: e.currentTarget.value })} />
        </label>
        <Select
          label="Operation"
          name="faultOperation"
          value={form.operation}
          options={['publish', 'golive']}
          onChange={(operation) => setForm({ ...form, operation })}
        />
        <Select
          label="Step"
          name="faultStep"
          value={form.step}
          options={[['', 'where the service fails'], ...ALL_STEP_IDS]}
          onChange={(step) => setForm({ ...form, step })}
        />
        <Select label="Effect" name="faultEffect" value={form.effect} options={['fail', 'block']} onChange={(effect) => setForm({ ...form, effect })} />
        {form.effect === 'fail' && (
          <label>
            Message <input name="faultMessage" required value={form.message} onInput={(e) => setForm({ ...form, message: e.currentTarget.value })} />
          </label>
        )}
        <label>
          Times{' '}
          <input
            name="faultTimes"
            type="number"
            min={1}
            placeholder="until removed"
            value={form.times}
            onInput={(e) => setForm({ ...form, times: e.currentTarget.value })}
          />
        </label>
        <button type="submit">Add fault</button>
      </form>
      <form class="form" onSubmit={onSubmitted(() => run(async () => client.sandbox.addFault(JSON.parse(json) as NewFaultRule)))}>
        <label>
          Any rule, as JSON (HTTP faults: status, delayMs, drop)
          <textarea class="json" rows={3} name="faultJson" spellcheck={false} value={json} onInput={(e) => setJson(e.currentTarget.value)} />
        </label>
        <button type="submit">Add rule</button>
      </form>
    </Section>
  );
}

function Clock({ client, run, refresh }: PanelProps) {
  const clock = useLoad(() => client.sandbox.getClock(), [client, refresh]);
  const [seconds, setSeconds] = useState('3600');
  return (
    <Section title="Workflow clock">
      <ErrorMessage error={clock.error} />
      {clock.data && (
        <p>
          Workflow time <Time value={clock.data.now} /> ({Math.round(clock.data.offsetMs / 1000)} s ahead of real time)
        </p>
      )}
      <form class="form inline" onSubmit={onSubmitted(() => run(() => client.sandbox.advanceClock(Number(seconds) * 1000)))}>
        <label>
          Advance by (seconds) <input name="advanceSeconds" type="number" min={1} value={seconds} onInput={(e) => setSeconds(e.currentTarget.value)} />
        </label>
        <button type="submit">Advance</button>
        {(['zero', 'fast', 'realistic'] as const).map((preset) => (
          <button key={preset} type="button" onClick={() => run(() => client.sandbox.setStepDurations(preset))}>
            Steps: {preset}
          </button>
        ))}
      </form>
      {clock.data && (
        <details>
          <summary>Step durations</summary>
          <table>
            <tbody>
              {Object.entries(clock.data.stepDurations).map(([step, ms]) => (
                <tr key={step}>
                  <th scope="row">{step}</th>
                  <td>{ms} ms</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
    </Section>
  );
}

function Snapshots({ client, run, refresh }: PanelProps) {
  const snapshots = useLoad(() => client.sandbox.listSnapshots(), [client, refresh]);
  const [name, setName] = useState('before-test');
  return (
    <Section title="Snapshots and reset">
      <ErrorMessage error={snapshots.error} />
      <ul class="plain">
        {snapshots.data?.map((snapshot) => (
          <li key={snapshot.name}>
            <strong>{snapshot.name}</strong> <Time value={snapshot.createdTime} />{' '}
            <button type="button" onClick={() => run(() => client.sandbox.restoreSnapshot(snapshot.name))}>
              Restore {snapshot.name}
            </button>{' '}
            <button type="button" class="danger" onClick={() => run(() => client.sandbox.deleteSnapshot(snapshot.name))}>
              Delete {snapshot.name}
            </button>
          </li>
        ))}
      </ul>
      <form class="form inline" onSubmit={onSubmitted(() => run(() => client.sandbox.saveSnapshot(name.trim())))}>
        <label>
          Snapshot name <input name="snapshotName" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <button type="submit">Save snapshot</button>
        <button type="button" class="danger" onClick={() => confirm('Reset the catalog to the demo data?') && run(() => client.sandbox.reset({ demo: true }))}>
          Reset to the demo
        </button>
      </form>
    </Section>
  );
}

function Outbox({ client, refresh }: { client: CloudPartnerClient; refresh: number }) {
  const outbox = useLoad(() => client.sandbox.outbox({ limit: 20 }), [client, refresh]);
  return (
    <Section
      title="Notifications outbox"
      actions={
        <button type="button" onClick={outbox.reload}>
          Refresh
        </button>
      }
    >
      <ErrorMessage error={outbox.error} />
      {outbox.data?.length === 0 && <p class="muted">No notification yet.</p>}
      <ul class="plain">
        {outbox.data?.map((message) => (
          <li key={message.id}>
            <Time value={message.time} /> to {message.to.join(', ')}: <strong>{message.subject}</strong>
          </li>
        ))}
      </ul>
    </Section>
  );
}

function Journal({ client, refresh }: { client: CloudPartnerClient; refresh: number }) {
  const journal = useLoad(() => client.sandbox.journal({ limit: 30 }), [client, refresh]);
  return (
    <Section
      title="Request journal"
      actions={
        <button type="button" onClick={journal.reload}>
          Refresh
        </button>
      }
    >
      <ErrorMessage error={journal.error} />
      <div class="scroll">
        <table>
          <TableHead columns={['Time', 'Request', 'Status', 'ms']} />
          <tbody>
            {journal.data?.map((entry) => (
              <tr key={entry.requestId}>
                <td>
                  <Time value={entry.time} />
                </td>
                <td>
                  <code>
                    {entry.method} {entry.path}
                  </code>
                </td>
                <td>{entry.status}</td>
                <td>{entry.durationMs}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Section>
  );
}
