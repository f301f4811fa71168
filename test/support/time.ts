/** Time as tests write it: a day in milliseconds, and an instant as the ISO string the contracts carry. */
export const DAY = 24 * 3600 * 1000;

export const iso = (ms: number): string => new Date(ms).toISOString();
