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
  downloadCsv(): void;
  downloadNpy(): void;
}

function el<T extends HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`viewer page is missing #${id}`);
  return e as T;
}

/** Keys typed into these belong to them; elsewhere (checkboxes, sliders, buttons) the shortcuts apply. */
function typing(target: EventTarget | null): boolean {
  if (target instanceof HTMLSelectElement || target instanceof HTMLTextAreaElement) return true;
  return target instanceof HTMLInputElement && !['checkbox', 'range', 'file', 'button'].includes(target.type);
}

/** Build the target buttons (`count` targets) and bind every control. */
export function bindControls(actions: ViewerActions, count: number): { setTargetCount(n: number): void } {
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
  const togglePause = () => {
    const paused = actions.togglePause();
    pause.textContent = paused ? 'resume' : 'pause';
    pause.classList.toggle('active', paused);
    step.disabled = !paused;
  };
  pause.addEventListener('click', togglePause);
  step.addEventListener('click', () => actions.step());
  el<HTMLSelectElement>('speed').addEventListener('change', (e) => actions.setSpeed(Number((e.target as HTMLSelectElement).value)));
  const noise = el<HTMLInputElement>('noise');
  const noiseValue = el<HTMLOutputElement>('noise-value');
  noise.addEventListener('input', () => {
    noiseValue.textContent = `${noise.value}× trained`;
    actions.setNoise(Number(noise.value));
  });
  el<HTMLSelectElement>('sort').addEventListener('change', (e) => actions.setSort((e.target as HTMLSelectElement).value as 'pd' | 'pc1'));
  const file = el<HTMLInputElement>('checkpoint-file');
  file.addEventListener('change', () => {
    const f = file.files?.[0];
    if (f) actions.loadFile(f);
    file.value = '';
  });
  el('download-csv').addEventListener('click', () => actions.downloadCsv());
  el('download-npy').addEventListener('click', () => actions.downloadNpy());

  window.addEventListener('keydown', (e) => {
    if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
    const k = Number(e.key);
    if (Number.isInteger(k) && k >= 1 && k <= targets.children.length) actions.startTrial(k - 1);
    else if (e.key === ' ') togglePause();
    else if (e.key === '.') actions.step();
    else if (e.key === 'p') actions.pulse();
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
  return { setTargetCount };
}
