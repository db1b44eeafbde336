/** Date helpers on integer day numbers (days since 1970-01-01, UTC). */

const MS_PER_DAY = 86_400_000;

export function parseIsoDay(s: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) throw new Error(`invalid ISO date "${s}" (expected YYYY-MM-DD)`);
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new Error(`invalid ISO date "${s}"`);
  }
  return Math.round(ms / MS_PER_DAY);
}

/** Same day of month `months` later (clamped by Date.UTC normalisation to the next valid day). */
export function addMonths(day: number, months: number): number {
  const dt = new Date(day * MS_PER_DAY);
  return Math.round(Date.UTC(dt.getUTCFullYear(), dt.getUTCMonth() + months, dt.getUTCDate()) / MS_PER_DAY);
}

export function yearOf(day: number): number {
  return new Date(day * MS_PER_DAY).getUTCFullYear();
}

export function weekdayOf(day: number): number {
  return new Date(day * MS_PER_DAY).getUTCDay(); // 0 = Sunday
}

const pad2 = (n: number): string => (n < 10 ? '0' + n : String(n));

/** Memoised formatters: the generator formats the same few thousand days millions of times. */
export class DayFormat {
  private isoCache = new Map<number, string>();
  private usCache = new Map<number, string>();

  /** YYYY-MM-DD */
  iso(day: number): string {
    let s = this.isoCache.get(day);
    if (s === undefined) {
      s = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
      this.isoCache.set(day, s);
    }
    return s;
  }

  /** MM/DD/YYYY */
  us(day: number): string {
    let s = this.usCache.get(day);
    if (s === undefined) {
      const iso = this.iso(day);
      s = `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`;
      this.usCache.set(day, s);
    }
    return s;
  }

  /** MM/DD/YYYY HH:MM */
  usTime(day: number, minuteOfDay: number): string {
    return `${this.us(day)} ${pad2(Math.floor(minuteOfDay / 60))}:${pad2(minuteOfDay % 60)}`;
  }

  /** YYYY-MM-DD HH:MM:SS */
  isoTime(day: number, secondOfDay: number): string {
    const h = Math.floor(secondOfDay / 3600);
    const m = Math.floor((secondOfDay % 3600) / 60);
    const s = secondOfDay % 60;
    return `${this.iso(day)} ${pad2(h)}:${pad2(m)}:${pad2(s)}`;
  }
}
