/**
 * The per-task notification content of MediaConvert (spec 8.3.1): the request echoed with the output URIs
 * resolved. `Subtitles` is echoed as `SubtitleSources`, `ExtractSubtitle` as `Subtitle.Extract`; absent
 * lists are null and absent URIs "". Image lists are capped (the full list is in `details.Files`).
 */
import type { MediaConvertParams } from './schema.ts';

export const MAX_LISTED = 1000;

export interface TargetResult {
  uri: string;
  snapshots: string[];
  sprites: string[];
  animations: string[];
  subtitles: string[];
}

export interface GroupResult {
  uri: string;
  variants: string[];
}

export interface ConvertResult {
  targets: TargetResult[];
  groups: GroupResult[];
}

const list = (uris: string[] | undefined, asked: boolean) =>
  asked && uris ? uris.slice(0, MAX_LISTED).map((URI) => ({ URI })) : null;

export function mediaConvertContent(p: MediaConvertParams, r?: ConvertResult): Record<string, unknown> {
  const content: Record<string, unknown> = {
    Sources: p.Sources.map((s) => ({
      URI: s.URI,
      SubtitleSources: s.Subtitles?.length ? s.Subtitles.map((x) => ({ URI: x.URI })) : null,
    })),
    Targets: p.Targets
      ? p.Targets.map((t, i) => {
          const res = r?.targets[i];
          return {
            URI: res?.uri ?? '',
            Subtitle: { Extract: { URI: res?.subtitles[0] ?? '' } },
            Image: {
              Sprites: list(res?.sprites, !!t.Image?.Sprites?.length),
              Snapshots: list(res?.snapshots, !!t.Image?.Snapshots?.length),
              Animations: list(res?.animations, !!t.Image?.Animations?.length),
            },
          };
        })
      : null,
  };
  if (p.TargetGroups) {
    content.TargetGroups = p.TargetGroups.map((g, i) => ({
      URI: r?.groups[i]?.uri ?? '',
      Targets: g.Targets.map((_, j) => ({ URI: r?.groups[i]?.variants[j] ?? '' })),
    }));
  }
  return content;
}
