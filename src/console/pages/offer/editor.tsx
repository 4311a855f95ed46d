/** The draft by tabs: offer settings, plans with their VM images, test drive, marketplace, support and leads, the raw JSON. */
import { useState } from 'preact/hooks';
import type { Offer } from '../../../client/index.ts';
import { secretPathsFor } from '../../../domain/secret-fields.ts';
import { Field, JsonInput } from './field.tsx';
import { TableHead } from '../../components.tsx';
import { type OfferTabId, type PathSegment, type Problem, concerns, getIn, jsonPath, problemText, shortName, tabOfOfferKey } from './fields.ts';

export interface EditorProps {
  draft: Offer;
  problems: Problem[];
  onChange: (segments: PathSegment[], value: unknown) => void;
  /** JSON pointers (into `definition`) of the secret fields that hold a value; undefined: not known. */
  secretsSet: ReadonlySet<string> | undefined;
}

export function Editor({ tab, ...props }: EditorProps & { tab: OfferTabId | 'json' }) {
  if (tab === 'json') return <JsonTab {...props} />;
  if (tab === 'plans') return <PlansTab {...props} />;
  return <OfferFieldsTab tab={tab} {...props} />;
}

function OfferFieldsTab({ tab, draft, problems, onChange, secretsSet }: EditorProps & { tab: OfferTabId }) {
  const offer = (draft.definition?.offer ?? {}) as Record<string, unknown>;
  const keys = Object.keys(offer).filter((key) => tabOfOfferKey(key) === tab);
  return (
    <div class="fields">
      {tab === 'settings' && (
        <>
          <Field name="id" segments={['id']} value={draft.id} problems={problems} onChange={onChange} readOnly />
          <Field name="offerTypeId" segments={['offerTypeId']} value={draft.offerTypeId} problems={problems} onChange={onChange} readOnly />
          <Field
            name="displayText"
            segments={['definition', 'displayText']}
            value={draft.definition?.displayText ?? ''}
            problems={problems}
            onChange={onChange}
          />
        </>
      )}
      {keys.map((key) => (
        <Field key={key} name={key} segments={['definition', 'offer', key]} value={offer[key]} problems={problems} onChange={onChange} />
      ))}
      {keys.length === 0 && tab !== 'settings' && <p class="muted">This offer has no fields of this kind.</p>}
      <SecretFields tab={tab} draft={draft} onChange={onChange} secretsSet={secretsSet} />
    </div>
  );
}

/** Secret-type fields: never shown (the API never returns them), only whether one is set, and a box to replace it. */
function SecretFields({ tab, draft, onChange, secretsSet }: Pick<EditorProps, 'draft' | 'onChange' | 'secretsSet'> & { tab: OfferTabId }) {
  const paths = secretPathsFor(draft.offerTypeId).filter((path) => path[0] === 'offer' && path[1] && tabOfOfferKey(path[1]) === tab && !path.includes('*'));
  if (paths.length === 0) return null;
  return (
    <fieldset class="secrets">
      <legend>Secret fields</legend>
      <p class="hint">The API never returns these values. Type a new value to replace one when you save; leave it empty to keep what is stored.</p>
      {paths.map((path) => {
        const pointer = `/${path.map((key) => key.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
        const segments: PathSegment[] = ['definition', ...path];
        const typed = getIn(draft, segments);
        const state = typed !== undefined ? 'will be replaced' : secretsSet === undefined ? 'unknown' : secretsSet.has(pointer) ? 'set' : 'unset';
        const id = `secret-${pointer}`;
        return (
          <div class="field" key={pointer}>
            <label for={id}>
              <span class="label">
                {shortName(path[1]!)} · {path[path.length - 1]} <span class={`badge ${state === 'set' ? 'good' : 'muted'}`}>{state}</span>
              </span>
            </label>
            <input
              id={id}
              type="password"
              autoComplete="new-password"
              value={typeof typed === 'string' ? typed : ''}
              onInput={(e) => onChange(segments, e.currentTarget.value === '' ? undefined : e.currentTarget.value)}
            />
          </div>
        );
      })}
    </fieldset>
  );
}

const IMAGES_KEY = 'microsoft-azure-virtualmachines.vmImages';

function PlansTab({ draft, problems, onChange }: EditorProps) {
  const plans = (draft.definition?.plans ?? []) as Record<string, unknown>[];
  const setPlans = (next: unknown[]) => onChange(['definition', 'plans'], next);
  return (
    <div class="plans">
      {plans.map((plan, index) => (
        <fieldset class="plan" key={index}>
          <legend>
            Plan <code>{String(plan.planId ?? index)}</code>
          </legend>
          <div class="fields">
            {Object.keys(plan)
              .filter((key) => key !== IMAGES_KEY)
              .map((key) => (
                <Field key={key} name={key} segments={['definition', 'plans', index, key]} value={plan[key]} problems={problems} onChange={onChange} />
              ))}
          </div>
          {IMAGES_KEY in plan || draft.offerTypeId.includes('virtualmachines') ? (
            <VmImages segments={['definition', 'plans', index, IMAGES_KEY]} images={plan[IMAGES_KEY]} problems={problems} onChange={onChange} />
          ) : null}
          <button type="button" class="danger" onClick={() => setPlans(plans.filter((_, other) => other !== index))}>
            Remove plan {String(plan.planId ?? '')}
          </button>
        </fieldset>
      ))}
      <AddNamed label="New plan id" hint="lower-case letters, digits and dashes" action="Add a plan" onAdd={(planId) => setPlans([...plans, { planId }])} />
    </div>
  );
}

/** A plan's VM images: one row per image version. */
function VmImages({
  segments,
  images,
  problems,
  onChange,
}: {
  segments: PathSegment[];
  images: unknown;
  problems: Problem[];
  onChange: EditorProps['onChange'];
}) {
  const record = (images && typeof images === 'object' && !Array.isArray(images) ? images : {}) as Record<string, Record<string, unknown>>;
  const path = jsonPath(segments);
  const mine = problems.filter((problem) => concerns(problem, path));
  return (
    <div class="vm-images">
      <h3>VM images</h3>
      <table>
        <TableHead columns={['Version', 'OS VHD URL', 'Data disks', '']} />
        <tbody>
          {Object.entries(record).map(([version, image]) => (
            <tr key={version}>
              <th scope="row">{version}</th>
              <td>
                <input
                  type="url"
                  aria-label={`OS VHD URL of image ${version}`}
                  value={String(image?.osVhdUrl ?? '')}
                  onInput={(e) => onChange([...segments, version, 'osVhdUrl'], e.currentTarget.value)}
                />
              </td>
              <td>{Array.isArray(image?.lunVhdDetails) ? image.lunVhdDetails.length : 0}</td>
              <td>
                <button
                  type="button"
                  class="danger"
                  onClick={() => onChange(segments, Object.fromEntries(Object.entries(record).filter(([other]) => other !== version)))}
                >
                  Remove {version}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <AddNamed
        label="New image version"
        hint="major.minor.patch"
        action="Add an image version"
        onAdd={(version) => onChange(segments, { ...record, [version]: { osVhdUrl: '', lunVhdDetails: [] } })}
      />
      {mine.length > 0 && (
        <ul class="problems">
          {mine.map((problem, index) => (
            <li key={index}>
              <code>{problem.path.slice(path.length)}</code> {problemText(problem)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A name typed in place (a plan id, an image version) and the button that adds it. */
function AddNamed({ label, hint, action, onAdd }: { label: string; hint: string; action: string; onAdd: (name: string) => void }) {
  const [name, setName] = useState('');
  return (
    <div class="form inline">
      <label>
        {label}
        <input value={name} placeholder={hint} onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <button
        type="button"
        disabled={name.trim() === ''}
        onClick={() => {
          onAdd(name.trim());
          setName('');
        }}
      >
        {action}
      </button>
    </div>
  );
}

function JsonTab({ draft, problems, onChange }: EditorProps) {
  return (
    <div class="fields">
      <label for="offer-json">The whole draft as JSON</label>
      <JsonInput id="offer-json" value={draft} invalid={problems.length > 0} rows={40} onChange={(value) => onChange([], value)} />
      {problems.length > 0 && (
        <ul class="problems">
          {problems.map((problem, index) => (
            <li key={index}>
              <code>{problem.path}</code> {problemText(problem)}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
