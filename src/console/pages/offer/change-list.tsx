/** A list of changes between two documents (the diff the CLI prints), added / removed / changed highlighted. */
import type { Change } from '../../../client/index.ts';
import { TableHead, jsonText } from '../../components.tsx';

export function ChangeList({ changes }: { changes: Change[] }) {
  if (changes.length === 0) return <p class="muted">No differences.</p>;
  return (
    <table class="changes">
      <TableHead columns={['Path', 'Before', 'After']} />
      <tbody>
        {changes.map((change) => (
          <tr key={change.path} class={change.kind}>
            <th scope="row">
              <span class="kind">{change.kind}</span> <code>{change.path}</code>
            </th>
            <td>{change.kind !== 'added' && <del>{jsonText(change.before)}</del>}</td>
            <td>{change.kind !== 'removed' && <ins>{jsonText(change.after)}</ins>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
