/** A publisher's members and applications (Owners): add and remove members, register an application and show its secret once. */
import { useMemo, useState } from 'preact/hooks';
import type { NewApplication, Role } from '../../client/index.ts';
import { apiClient, type Session } from '../session.ts';
import { onSubmitted, ErrorMessage, Select, TableHead, Section, Time, useLoad } from '../components.tsx';

const ROLES: Role[] = ['Owner', 'Contributor', 'Reader'];

export function MembersPage({ session, publisherId }: { session: Session; publisherId: string }) {
  const client = useMemo(() => apiClient(session.token, publisherId), [session.token, publisherId]);
  const members = useLoad(() => client.listMembers(), [client]);
  const applications = useLoad(() => client.listApplications(), [client]);
  const [error, setError] = useState<unknown>();
  const [created, setCreated] = useState<NewApplication>();
  const [member, setMember] = useState({ objectId: '', tenantId: '', role: 'Reader' as Role, displayName: '' });
  const [application, setApplication] = useState({ displayName: '', role: 'Contributor' as Role });

  const run = async (work: () => Promise<unknown>, after: () => void) => {
    setError(undefined);
    try {
      await work();
      after();
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <>
      <nav class="crumbs" aria-label="Breadcrumb">
        <a href="#/offers">All offers</a> › {publisherId}
      </nav>
      <h1>Members and applications of {publisherId}</h1>
      <ErrorMessage error={error} />
      <Section title="Members">
        <ErrorMessage error={members.error} />
        <table>
          <TableHead columns={['Name', 'Object id', 'Tenant', 'Role', 'Since', '']} />
          <tbody>
            {members.data?.map((m) => (
              <tr key={`${m.tenantId}/${m.objectId}`}>
                <td>{m.displayName}</td>
                <td>
                  <code>{m.objectId}</code>
                </td>
                <td>
                  <code>{m.tenantId}</code>
                </td>
                <td>{m.role}</td>
                <td>
                  <Time value={m.createdTime} />
                </td>
                <td>
                  <button type="button" class="danger" onClick={() => run(() => client.removeMember(m.objectId, { tenantId: m.tenantId }), members.reload)}>
                    Remove {m.displayName || m.objectId}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form
          class="form inline"
          onSubmit={onSubmitted(() =>
            run(
              () =>
                client.putMember(member.objectId.trim(), {
                  tenantId: member.tenantId.trim(),
                  role: member.role,
                  ...(member.displayName ? { displayName: member.displayName } : {}),
                }),
              () => (members.reload(), setMember({ ...member, objectId: '', displayName: '' })),
            ),
          )}
        >
          <h3>Add a member</h3>
          <label>
            Object id <input name="objectId" required value={member.objectId} onInput={(e) => setMember({ ...member, objectId: e.currentTarget.value })} />
          </label>
          <label>
            Tenant id <input name="tenantId" required value={member.tenantId} onInput={(e) => setMember({ ...member, tenantId: e.currentTarget.value })} />
          </label>
          <label>
            Name <input name="displayName" value={member.displayName} onInput={(e) => setMember({ ...member, displayName: e.currentTarget.value })} />
          </label>
          <RoleSelect name="memberRole" value={member.role} onChange={(role) => setMember({ ...member, role })} />
          <button type="submit">Add member</button>
        </form>
      </Section>
      <Section title="Applications">
        <ErrorMessage error={applications.error} />
        {created && (
          <div class="secret-once" role="alert">
            <h3>Application {created.displayName} registered</h3>
            <p>Copy the secret now: it is shown only this once.</p>
            <dl>
              <dt>Tenant id</dt>
              <dd>
                <code>{created.tenantId}</code>
              </dd>
              <dt>Client id</dt>
              <dd>
                <code>{created.clientId}</code>
              </dd>
              <dt>Client secret</dt>
              <dd>
                <code class="secret">{created.clientSecret}</code>
              </dd>
            </dl>
            <button type="button" onClick={() => setCreated(undefined)}>
              I have copied it
            </button>
          </div>
        )}
        <table>
          <TableHead columns={['Name', 'Client id', 'Role', 'Registered', '']} />
          <tbody>
            {applications.data?.map((a) => (
              <tr key={a.clientId}>
                <td>{a.displayName}</td>
                <td>
                  <code>{a.clientId}</code>
                </td>
                <td>{a.role}</td>
                <td>
                  <Time value={a.createdTime} />
                </td>
                <td>
                  <button
                    type="button"
                    class="danger"
                    onClick={() =>
                      run(
                        () => client.removeApplication(a.clientId),
                        () => (applications.reload(), members.reload()),
                      )
                    }
                  >
                    Remove {a.displayName}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form
          class="form inline"
          onSubmit={onSubmitted(() =>
            run(
              async () =>
                setCreated(
                  await client.createApplication({ role: application.role, ...(application.displayName ? { displayName: application.displayName } : {}) }),
                ),
              () => (applications.reload(), members.reload()),
            ),
          )}
        >
          <h3>Register an application</h3>
          <label>
            Name{' '}
            <input
              name="applicationName"
              value={application.displayName}
              onInput={(e) => setApplication({ ...application, displayName: e.currentTarget.value })}
            />
          </label>
          <RoleSelect name="applicationRole" value={application.role} onChange={(role) => setApplication({ ...application, role })} />
          <button type="submit">Register application</button>
        </form>
      </Section>
    </>
  );
}

function RoleSelect({ name, value, onChange }: { name: string; value: Role; onChange: (role: Role) => void }) {
  return <Select label="Role" name={name} value={value} options={ROLES} onChange={(role) => onChange(role as Role)} />;
}
