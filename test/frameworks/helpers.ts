import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import type { FrameworkInput } from '../../src/frameworks/index.ts';

/** A small valid framework; tests break one thing at a time. */
export function miniFramework(): FrameworkInput {
  const phqItems = Array.from({ length: 9 }, (_, i) => ({ id: `item${i + 1}`, text: `Question ${i + 1}`, min: 0, max: 3 }));
  return {
    id: 'mini',
    version: '1.0.0',
    name: 'Mini',
    description: 'A small framework for tests.',
    scale: [
      { value: 1, label: 'Low', description: 'Things are hard.' },
      { value: 2, label: 'Mid', description: 'Getting by.' },
      { value: 3, label: 'High', description: 'Doing well.' },
    ],
    negationCues: ['no', 'denies'],
    historicalCues: ['history of'],
    domains: [
      {
        id: 'housing',
        name: 'Housing',
        description: 'A place to live.',
        levels: { 1: 'Homeless.', 2: 'Temporary.', 3: 'Stable.' },
        indicators: [
          { id: 'housed', direction: 'strength', description: 'Has a home.', cues: ['housed', 'signed a lease'], examples: ['Client is housed.'] },
          { id: 'homeless', direction: 'concern', description: 'Has no home.', cues: ['homeless*', 'evict*'], examples: ['Client is homeless.'] },
        ],
      },
      {
        id: 'income',
        name: 'Income',
        description: 'Money coming in.',
        levels: { 1: 'None.', 2: 'Some.', 3: 'Enough.' },
        indicators: [
          { id: 'paid', direction: 'strength', description: 'Has income.', cues: ['paycheck'], examples: ['Got a paycheck.'] },
          { id: 'broke', direction: 'concern', description: 'No income.', cues: ['no income'], examples: ['Has no income.'] },
        ],
      },
    ],
    instruments: [
      {
        id: 'phq9',
        name: 'PHQ-9',
        domains: ['housing'],
        items: phqItems,
        scoring: { method: 'sum', min: 0, max: 27 },
        bands: [
          { label: 'minimal', min: 0, max: 4 },
          { label: 'mild', min: 5, max: 9 },
          { label: 'moderate', min: 10, max: 14 },
          { label: 'moderately severe', min: 15, max: 19 },
          { label: 'severe', min: 20, max: 27 },
        ],
        reliableChange: 6,
        clinicalCutoff: 10,
        direction: 'higher_is_worse',
      },
    ],
  };
}

export interface TempDir {
  dir: string;
  write(name: string, content: string | object): string;
  cleanup(): void;
}

/** A fresh temp folder; `write` stores objects as YAML (or JSON for .json names) and returns the file path. */
export function tempDir(): TempDir {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'caselens-frameworks-'));
  return {
    dir,
    write(name, content) {
      const file = path.join(dir, name);
      const text = typeof content === 'string' ? content : name.endsWith('.json') ? JSON.stringify(content, null, 2) : stringify(content);
      writeFileSync(file, text);
      return file;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
