type Env = Record<string, string | undefined>;

/** The customer portal's settings (§13): who may frame it, and its branding. */
export interface PortalConfig {
  /** Origins allowed to put `/portal` in a frame; empty: none (`frame-ancestors 'none'`). */
  frameAncestors: string[];
  /** The page's title, shown in its header and the tab. */
  title: string;
  /** The accent colour, `#rrggbb`, or undefined for the page's own. */
  accent: string | undefined;
}

/** One origin as a CSP source: `scheme://host[:port]`, no path, no wildcard, no quotes. */
function originOf(entry: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/?#\s*'";,]+$/i.test(entry)) return undefined;
  try {
    const url = new URL(entry);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    if (url.username || url.password || url.origin === 'null') return undefined;
    // The parser decodes percent-escapes in the host (`a.com%3Bsandbox` → `a.com;sandbox`):
    // what goes into the CSP is checked once more as parsed.
    if (!/^https?:\/\/([a-z0-9.-]+|\[[0-9a-f:.]+\])(:\d+)?$/.test(url.origin)) return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

/** POSTMAND_PORTAL_FRAME_ANCESTORS, POSTMAND_PORTAL_TITLE, POSTMAND_PORTAL_ACCENT. */
export function readPortalConfig(env: Env, problems: string[]): PortalConfig {
  const entries = (env.POSTMAND_PORTAL_FRAME_ANCESTORS ?? '').split(/\s+/).filter(Boolean);
  const bad = entries.filter((e) => originOf(e) === undefined);
  if (bad.length > 0) {
    problems.push(
      `POSTMAND_PORTAL_FRAME_ANCESTORS: must be origins such as https://app.example.com or http://localhost:3000, space-separated, got ${bad.map((e) => `"${e}"`).join(', ')}`,
    );
  }
  const title = env.POSTMAND_PORTAL_TITLE?.trim() || 'Webhooks';
  if (title.length > 100) problems.push('POSTMAND_PORTAL_TITLE: must be at most 100 characters');
  const accent = env.POSTMAND_PORTAL_ACCENT?.trim() || undefined;
  if (accent !== undefined && !/^#[0-9a-f]{6}$/i.test(accent)) {
    problems.push(`POSTMAND_PORTAL_ACCENT: must be a colour such as #0a7cff, got "${accent}"`);
  }
  return {
    frameAncestors: [...new Set(entries.map((e) => originOf(e) ?? e))],
    title,
    accent: accent?.toLowerCase(),
  };
}
