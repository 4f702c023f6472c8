/** The control bar, keyboard shortcuts and checkpoint drag-and-drop, wired to the viewer's actions. */
import { conditionColor, css } from './colors.ts';

/** What the controls can do; main.ts supplies these against the live session. */
export interface ViewerActions {
  startTrial(k: number): void;
  pulse(): void;
  setCurl(on: boolean, strength: number): void;
  /** Toggle pause; returns whether now paused. */
  togglePause(): boolean;
  step(): void;
  setSpeed(scale: number): void;
  setNoise(multiplier: number): void;
  setSort(kind: 'pd' | 'pc1'): void;
  loadFile(file: File): void;
  /** Go back to the bundled default controller. */
  loadDefault(): void;
  /** Run the bundled muscle-arm (arm26) controller. */
  loadMuscle(): void;
  /** Instructed delay of the next trials (s). */
  setDelay(seconds: number): void;
  downloadCsv(): void;
  /** Save the panel with this element id as PNG. */
  exportPanel(id: string): void;
  /** Save the line panel with this element id as an SVG figure built from its data. */
  exportSvg(id: string): void;
  downloadNpy(): void;
}

function el<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`viewer page is missing #${id}`);
  return e as T;
}

/**
 * Keys typed into these belong to them; elsewhere the shortcuts apply. A focused select is not typing:
 * it would take the shortcut keys as type-ahead (1 picks "1×"), so the shortcut wins there too.
 */
function typing(target: EventTarget | null): boolean {
  if (target instanceof HTMLTextAreaElement) return true;
  return target instanceof HTMLInputElement && !['checkbox', 'range', 'file', 'button'].includes(target.type);
}

/** A select hands the keyboard back to the page once a choice is made. */
function onChoice(select: HTMLSelectElement, apply: (value: string) => void): void {
  select.addEventListener('change', () => {
    apply(select.value);
    select.blur();
  });
}

/** Build the target buttons (`count` targets) and bind every control. */
export function bindControls(
  actions: ViewerActions,
  count: number,
): {
  setTargetCount(n: number): void;
  /** Which bundled controller runs (null: a loaded file), its trained delay range and the delay in use (s). */
  setController(bundled: 'torque' | 'muscle' | null, trained: readonly [number, number], delay: number): void;
  /** Show the run as paused or running (when something other than the pause control paused it). */
  showPaused(paused: boolean): void;
} {
  const targets = el<HTMLSpanElement>('target-buttons');
  const setTargetCount = (n: number) => {
    targets.replaceChildren();
    for (let k = 0; k < n; k++) {
      const b = document.createElement('button');
      b.textContent = String(k + 1);
      b.style.borderColor = css(conditionColor(k, n));
      b.title = `reach to target ${k + 1} (key ${k + 1})`;
      b.addEventListener('click', () => actions.startTrial(k));
      targets.append(b);
    }
  };
  setTargetCount(count);

  el('pulse').addEventListener('click', () => actions.pulse());
  const curl = el<HTMLInputElement>('curl');
  const strength = el<HTMLInputElement>('curl-strength');
  const curlValue = el<HTMLOutputElement>('curl-value');
  const applyCurl = () => {
    curlValue.textContent = `${strength.value} N·s/m`;
    actions.setCurl(curl.checked, Number(strength.value));
  };
  curl.addEventListener('change', applyCurl);
  strength.addEventListener('input', applyCurl);

  const pause = el<HTMLButtonElement>('pause');
  const step = el<HTMLButtonElement>('step');
  const showPaused = (paused: boolean) => {
    pause.textContent = paused ? 'resume' : 'pause';
    pause.classList.toggle('active', paused);
    step.disabled = !paused;
  };
  const togglePause = () => showPaused(actions.togglePause());
  pause.addEventListener('click', togglePause);
  step.addEventListener('click', () => actions.step());
  onChoice(el<HTMLSelectElement>('speed'), (v) => actions.setSpeed(Number(v)));
  const noise = el<HTMLInputElement>('noise');
  const noiseValue = el<HTMLOutputElement>('noise-value');
  noise.addEventListener('input', () => {
    noiseValue.textContent = `${noise.value}× trained`;
    actions.setNoise(Number(noise.value));
  });
  onChoice(el<HTMLSelectElement>('sort'), (v) => actions.setSort(v as 'pd' | 'pc1'));
  const file = el<HTMLInputElement>('checkpoint-file');
  file.addEventListener('change', () => {
    const f = file.files?.[0];
    if (f) actions.loadFile(f);
    file.value = '';
  });
  const toDefault = el<HTMLButtonElement>('default-controller');
  toDefault.addEventListener('click', () => actions.loadDefault());
  const toMuscle = el<HTMLButtonElement>('muscle-controller');
  toMuscle.addEventListener('click', () => actions.loadMuscle());
  const delay = el<HTMLSelectElement>('delay');
  onChoice(delay, (v) => actions.setDelay(Number(v)));
  /** Offer the trained delay range's ends and middle, and no delay (untrained unless the range starts at 0). */
  const setController = (bundled: 'torque' | 'muscle' | null, trained: readonly [number, number], current: number) => {
    toDefault.disabled = bundled === 'torque';
    toMuscle.disabled = bundled === 'muscle';
    const [lo, hi] = trained;
    const choices = [...new Set([0, lo, (lo + hi) / 2, hi].map((v) => Math.round(v * 100) / 100))].sort((a, b) => a - b);
    delay.replaceChildren(
      ...choices.map((v) => {
        const o = document.createElement('option');
        o.value = String(v);
        o.textContent = `${v.toFixed(2)} s${v < lo - 1e-9 || v > hi + 1e-9 ? ' (untrained)' : ''}`;
        return o;
      }),
    );
    delay.value = String(Math.round(current * 100) / 100);
  };
  el('download-csv').addEventListener('click', () => actions.downloadCsv());
  el('download-npy').addEventListener('click', () => actions.downloadNpy());
  const exporter = el<HTMLSelectElement>('export');
  onChoice(exporter, (id) => {
    if (id) actions.exportPanel(id);
    exporter.value = '';
  });
  const svgExporter = el<HTMLSelectElement>('export-svg');
  onChoice(svgExporter, (id) => {
    if (id) actions.exportSvg(id);
    svgExporter.value = '';
  });

  const help = el<HTMLElement>('help');
  const toggleHelp = (show = help.hidden) => {
    help.hidden = !show;
  };
  el('help-button').addEventListener('click', () => toggleHelp());
  el('help-close').addEventListener('click', () => toggleHelp(false));

  window.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !help.hidden) toggleHelp(false);
    if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    const k = Number(e.key);
    if (Number.isInteger(k) && k >= 1 && k <= targets.children.length) actions.startTrial(k - 1);
    else if (e.key === ' ') togglePause();
    else if (e.key === '.') actions.step();
    else if (e.key === 'p') actions.pulse();
    else if (e.key === '?') toggleHelp();
    else return;
    e.preventDefault();
  });

  const hint = el<HTMLDivElement>('drop-hint');
  window.addEventListener('dragover', (e) => {
    e.preventDefault();
    hint.hidden = false;
  });
  window.addEventListener('dragleave', (e) => {
    if (e.relatedTarget === null) hint.hidden = true;
  });
  window.addEventListener('drop', (e) => {
    e.preventDefault();
    hint.hidden = true;
    const f = e.dataTransfer?.files[0];
    if (f) actions.loadFile(f);
  });
  return { setTargetCount, setController, showPaused };
}
