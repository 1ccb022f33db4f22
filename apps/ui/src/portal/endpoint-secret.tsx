import { useEffect, useRef, useState } from 'preact/hooks';
import { unwrap, type Webhook } from '../api/client';
import { asFailure, ErrorBox, formatTime } from '../components';
import type { ApiFailure } from '../api/client';
import { portalApi } from './session';

/** How long a rotated-out secret keeps signing beside the new one (the API's grace_period). */
const GRACE_PERIODS: [seconds: number, words: string][] = [
  [0, 'Not at all'],
  [3600, 'For 1 hour'],
  [86_400, 'For 1 day'],
  [604_800, 'For 7 days'],
];
const DEFAULT_GRACE = 86_400;
/** What a rotation does not change (the API's rotate-secret keeps them, whatever the grace). */
const RETIRED_EARLIER =
  'Secrets replaced by earlier rotations keep signing until their own time ends.';

/** What Chromium tells of the frame's permissions policy (other browsers tell nothing). */
interface PolicyDocument {
  permissionsPolicy?: { allowsFeature(feature: string): boolean };
  featurePolicy?: { allowsFeature(feature: string): boolean };
}

/**
 * Whether the page may write to the clipboard: not in a frame of another site that was not
 * allowed `clipboard-write`. Asked first, since Chromium logs a violation for a try; a
 * browser that does not say is tried.
 */
function clipboardAllowed(): boolean {
  const policy =
    (document as PolicyDocument).permissionsPolicy ?? (document as PolicyDocument).featurePolicy;
  return policy ? policy.allowsFeature('clipboard-write') : true;
}

/**
 * Puts `text` on the clipboard, or selects the element's text for the user to copy: the
 * clipboard is refused in a frame of another site that was not allowed `clipboard-write`,
 * and absent outside a secure context.
 */
async function copyOrSelect(text: string, element: HTMLElement): Promise<'copied' | 'selected'> {
  try {
    if (!navigator.clipboard || !clipboardAllowed()) throw new Error('no clipboard');
    await navigator.clipboard.writeText(text);
    return 'copied';
  } catch {
    element.focus();
    window.getSelection()?.selectAllChildren(element);
    return 'selected';
  }
}

/** The secret, shown once asked for, with a button that copies it. */
function Revealed({ secret }: { secret: string }) {
  const code = useRef<HTMLElement>(null);
  const [copy, setCopy] = useState<'copied' | 'selected'>();
  if (secret === '') {
    return (
      <p data-secret="" tabIndex={-1}>
        None: this endpoint’s deliveries are not signed.
      </p>
    );
  }
  return (
    <div class="secret">
      <code ref={code} tabIndex={0} data-secret={secret}>
        {secret}
      </code>
      <div class="actions">
        <button
          type="button"
          onClick={() => void copyOrSelect(secret, code.current!).then(setCopy)}
        >
          Copy
        </button>
        <span role="status" data-copy-result={copy ?? ''}>
          {copy === 'copied'
            ? 'Copied'
            : copy === 'selected'
              ? 'Select and copy: the secret is selected, press Ctrl+C (⌘C on a Mac).'
              : ''}
        </span>
      </div>
    </div>
  );
}

/**
 * The endpoint's signing secret: never on the page until asked for (the API returns it
 * with the webhook, to read-only sessions too, since reading it is a read), and, for a
 * session that writes, its rotation with the time the old one keeps signing until.
 */
export function EndpointSecret(props: {
  webhook: Webhook;
  canWrite: boolean;
  onRotated: (webhook: Webhook) => void;
}) {
  const { webhook, canWrite, onRotated } = props;
  const [shown, setShown] = useState(false);
  // Focus follows the reveal and the hide, whose buttons leave the page.
  const reveal = useRef<HTMLButtonElement>(null);
  const toggled = useRef(false);
  useEffect(() => {
    if (!toggled.current) return;
    (shown ? document.querySelector<HTMLElement>('[data-secret]') : reveal.current)?.focus();
  }, [shown]);
  const show = (yes: boolean) => {
    toggled.current = true;
    setShown(yes);
  };
  const [grace, setGrace] = useState(DEFAULT_GRACE);
  const [rotating, setRotating] = useState(false);
  const [failure, setFailure] = useState<ApiFailure>();
  const [rotated, setRotated] = useState<{ oldUntil: string | null; hadOld: boolean }>();

  const rotate = async () => {
    setRotating(true);
    setFailure(undefined);
    try {
      const hadOld = webhook.secret_token !== '';
      const next = await unwrap(
        portalApi.POST('/v1/webhooks/{id}/rotate-secret', {
          params: { path: { id: webhook.id } },
          body: { grace_period: grace },
        }),
      );
      // The old secret's end is the rotation's time (the webhook's new updated_at, set by
      // the same statement) plus the grace period.
      const until = new Date(Date.parse(next.updated_at) + grace * 1000).toISOString();
      setRotated({ hadOld, oldUntil: grace > 0 ? until : null });
      onRotated(next);
    } catch (err) {
      setFailure(asFailure(err));
    } finally {
      setRotating(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="secret-title">
      <h2 id="secret-title">Signing secret</h2>
      <p class="muted">Your endpoint checks each delivery’s signature with this secret.</p>
      {shown ? (
        // A new secret is a new Revealed: nothing said of the old one's copy stays.
        <Revealed key={webhook.secret_token} secret={webhook.secret_token} />
      ) : (
        <button ref={reveal} type="button" onClick={() => show(true)}>
          Reveal secret
        </button>
      )}
      {shown ? (
        <p>
          <button type="button" class="link" onClick={() => show(false)}>
            Hide secret
          </button>
        </p>
      ) : null}
      {canWrite ? (
        <div class="rotate">
          <h3>Rotate the secret</h3>
          <ErrorBox error={failure} />
          {/* On the page before its words, so that they are announced when they come. */}
          <p
            class={rotated ? 'notice' : undefined}
            role="status"
            data-rotated={rotated ? '' : undefined}
          >
            {rotated ? (
              <>
                A new secret signs from now on.{' '}
                {!rotated.hadOld
                  ? 'There was no old one.'
                  : rotated.oldUntil
                    ? `The one it replaced stays valid, signing beside it, until ${formatTime(rotated.oldUntil)}.`
                    : 'The one it replaced stopped signing now.'}{' '}
                {rotated.hadOld ? RETIRED_EARLIER : null}
              </>
            ) : null}
          </p>
          <div class="field">
            <label for="grace-period">The old secret keeps signing</label>
            <select
              id="grace-period"
              aria-describedby="grace-hint"
              value={String(grace)}
              onChange={(e) => setGrace(Number((e.target as HTMLSelectElement).value))}
            >
              {GRACE_PERIODS.map(([seconds, text]) => (
                <option key={seconds} value={String(seconds)}>
                  {text}
                </option>
              ))}
            </select>
            <div class="hint" id="grace-hint">
              {RETIRED_EARLIER}
            </div>
          </div>
          <button type="button" disabled={rotating} onClick={() => void rotate()}>
            {rotating ? 'Rotating…' : 'Rotate secret'}
          </button>
        </div>
      ) : null}
    </section>
  );
}
