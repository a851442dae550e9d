/**
 * The power a device typically draws under inference load, for when its power cannot be measured. Taken
 * from the vendors' published board power (TGP/TBP/TDP) of common cards; an unknown card gets its
 * vendor's middle-of-the-range figure, and the CPU worker a typical desktop processor's TDP. These are
 * estimates, and every figure computed from them is marked as one.
 */

/** What the table needs to know about a device (common/api.ts `Device` fits). */
export type DrawDevice = { id: string; name: string; vendor: 'nvidia' | 'amd' | 'intel' | 'apple' | 'other' };

/** A typical draw and where it came from, for the ledger's power_source column. */
export type TypicalDraw = { watts: number; basis: string };

// First match wins, so more specific names come first.
const BY_NAME: ReadonlyArray<[RegExp, number]> = [
  [/H100.*(SXM|HBM3)/i, 700],
  [/H100/i, 350],
  [/H200/i, 700],
  [/A100.*SXM/i, 400],
  [/A100/i, 250],
  [/\bL40S?\b/i, 300],
  [/\bL4\b/i, 72],
  [/\bT4\b/i, 70],
  [/\bA10G?\b/i, 150],
  [/RTX 6000 Ada/i, 300],
  [/RTX A6000/i, 300],
  [/RTX 5090/i, 575],
  [/RTX 5080/i, 360],
  [/RTX 5070 Ti/i, 300],
  [/RTX 5070/i, 250],
  [/RTX 4090/i, 450],
  [/RTX 4080/i, 320],
  [/RTX 4070 Ti/i, 285],
  [/RTX 4070/i, 200],
  [/RTX 4060 Ti/i, 160],
  [/RTX 4060/i, 115],
  [/RTX 3090 Ti/i, 450],
  [/RTX 3090/i, 350],
  [/RTX 3080 Ti/i, 350],
  [/RTX 3080/i, 320],
  [/RTX 3070 Ti/i, 290],
  [/RTX 3070/i, 220],
  [/RTX 3060 Ti/i, 200],
  [/RTX 3060/i, 170],
  [/RTX 20[0-9]0/i, 215],
  [/GTX 16[0-9]0/i, 120],
  [/MI300/i, 750],
  [/MI250/i, 500],
  [/MI210/i, 300],
  [/RX 7900 XTX/i, 355],
  [/RX 7900/i, 315],
  [/RX 7800/i, 263],
  [/RX 7[0-9]00/i, 190],
  [/RX 6900/i, 300],
  [/RX 6800/i, 250],
  [/RX 6[0-9]00/i, 180],
  [/Arc A770/i, 225],
  [/Arc A750/i, 225],
  [/Arc/i, 150],
];

const BY_VENDOR: Record<DrawDevice['vendor'], number> = { nvidia: 250, amd: 250, intel: 40, apple: 30, other: 100 };

/** Typical desktop CPU package power under a sustained all-core load (a 65 W TDP part). */
export const CPU_TYPICAL_WATTS = 65;

/** The typical draw of `device`, or of the CPU worker when the device is `cpu` or unknown. */
export function typicalDraw(deviceId: string, device: DrawDevice | undefined): TypicalDraw {
  if (deviceId === 'cpu' || device === undefined) return { watts: CPU_TYPICAL_WATTS, basis: `typical CPU draw (${CPU_TYPICAL_WATTS} W TDP)` };
  const named = BY_NAME.find(([pattern]) => pattern.test(device.name));
  if (named !== undefined) return { watts: named[1], basis: `typical draw of ${device.name} (${named[1]} W board power)` };
  const watts = BY_VENDOR[device.vendor];
  return { watts, basis: `typical draw of an unlisted ${device.vendor} device (${watts} W)` };
}
