/** Calendar days in a time zone (IANA, with its daylight-saving changes), for grouping jobs by the user's day. */

const DAY = 86_400_000;


/** This machine's time zone. */
export function systemTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** Maps epoch ms to its local calendar day, YYYY-MM-DD, in `timeZone`; throws a RangeError for an unknown zone. */
export function localDayOf(timeZone: string): (at: number) => string {
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  // The day last looked up and where it starts and ends: grouped readings come in time order, so most
  // lookups land in it and cost no Intl call.
  let day = '';
  let start = 0;
  let end = 0;
  return (at) => {
    if (at >= start && at < end) return day;
    const parts = format.formatToParts(new Date(at));
    const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
    day = `${part('year')}-${part('month')}-${part('day')}`;
    start = startOfLocalDay(at, timeZone);
    // The next midnight: a day is 23 to 25 hours long; noon of the next day is safely inside it.
    end = startOfLocalDay(start + 36 * 3_600_000, timeZone);
    if (!(at >= start && at < end)) end = start;
    return day;
  };
}

/** How far local time in `timeZone` is ahead of UTC at `at`, in ms. */
export function utcOffsetMs(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(at));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const local = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'), part('second'));
  return local - (at - (((at % 1000) + 1000) % 1000));
}

/** The first millisecond of the local day that holds `at`, in `timeZone`. */
export function startOfLocalDay(at: number, timeZone: string): number {
  const offset = utcOffsetMs(at, timeZone);
  const local = at + offset;
  const midnight = local - (((local % DAY) + DAY) % DAY);
  const guess = midnight - offset;
  // Across a daylight-saving change the offset at midnight differs from the offset at `at`.
  const atMidnight = utcOffsetMs(guess, timeZone);
  return atMidnight === offset ? guess : midnight - atMidnight;
}
