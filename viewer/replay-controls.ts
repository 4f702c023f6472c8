/** The replay slider, the back-to-live button and the earlier-trials choice, bound to a {@link Replay}. */
import type { Replay } from './replay.ts';
import type { TrialRecord } from './trial-record.ts';

function el<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`viewer page is missing #${id}`);
  return e as T;
}

/**
 * Bind the controls: moving the slider shows that sample of `record()` and pauses the run (`pause`);
 * `live` (or resuming in any way) returns to the live arm. Call the returned `sync` every frame.
 */
export function bindReplayControls(r: Replay, record: () => TrialRecord, pause: () => void, resume: () => void): { sync(paused: boolean): void } {
  const slider = el<HTMLInputElement>('replay');
  const time = el<HTMLOutputElement>('replay-time');
  const live = el<HTMLButtonElement>('replay-live');
  const overlay = el<HTMLSelectElement>('overlay');
  slider.addEventListener('input', () => {
    const rec = record();
    if (rec.length === 0) return;
    r.sample = Math.min(rec.length - 1, Math.max(0, Number(slider.value)));
    pause();
  });
  live.addEventListener('click', () => {
    r.sample = -1;
    resume();
  });
  overlay.addEventListener('change', () => {
    r.overlayCount = Number(overlay.value);
    overlay.blur();
  });
  r.overlayCount = Number(overlay.value);
  const shown = { max: -1, value: -1, text: '' };
  return {
    sync(paused: boolean) {
      if (!paused) r.sample = -1;
      const rec = record();
      const max = Math.max(0, rec.length - 1);
      const value = r.sample >= 0 ? r.sample : max;
      if (max !== shown.max) slider.max = String((shown.max = max));
      if (value !== shown.value) slider.value = String((shown.value = value));
      const text = r.sample >= 0 ? `${rec.timesFromGo[r.sample].toFixed(2)} s from go` : 'live';
      if (text !== shown.text) {
        time.textContent = shown.text = text;
        live.disabled = r.sample < 0;
      }
    },
  };
}
