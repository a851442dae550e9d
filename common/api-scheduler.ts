/**
 * The scheduler as the UI sees it: the decision (run, drain or pause) for the whole node and for each
 * device, every reason that holds right now, the notices of policies that could not measure what they
 * need, and the latest telemetry. Methods: `scheduler.get`, `scheduler.pause`, `scheduler.resume`;
 * event: `scheduler`, pushed after every evaluation (every telemetry pass and tick, about every 5 s, and on every change).
 */
import { z } from 'zod';

/** run: take jobs. drain: take no new jobs, finish the ones running. pause: drain, and report paused. */
export const SchedulerAction = z.enum(['run', 'drain', 'pause']);
export type SchedulerAction = z.infer<typeof SchedulerAction>;

/** The policies, by the name the UI shows reasons under. */
export const PolicyName = z.enum(['manual', 'schedule', 'idle-only', 'gaming', 'thermal', 'power', 'battery', 'suspend', 'vram-reserve']);
export type PolicyName = z.infer<typeof PolicyName>;

/** Why a policy holds the node (or one device) back. */
export const SchedulerReason = z.object({
  policy: PolicyName,
  action: z.enum(['drain', 'pause']),
  /** null: the whole node. */
  deviceId: z.string().max(200).nullable(),
  message: z.string().max(500),
});
export type SchedulerReason = z.infer<typeof SchedulerReason>;

/** A policy that could not do its work (what it needs is not measurable) or only limits jobs, and why. */
export const SchedulerNotice = z.object({ policy: PolicyName, deviceId: z.string().max(200).nullable(), message: z.string().max(500) });
export type SchedulerNotice = z.infer<typeof SchedulerNotice>;

const Measured = <T extends z.ZodType>(value: T) => z.union([z.object({ ok: z.literal(true), value }), z.object({ ok: z.literal(false), reason: z.string().max(1000) })]);

/** One device's latest reading (provider/telemetry/sample.ts, on the wire). */
export const DeviceSampleSchema = z.object({
  deviceId: z.string().max(200),
  at: z.number().int(),
  utilizationPct: Measured(z.number()),
  vramUsedBytes: Measured(z.number()),
  vramTotalBytes: Measured(z.number()),
  temperatureC: Measured(z.number()),
  powerW: Measured(z.number()),
  powerLimitW: Measured(z.number()),
  foreignProcesses: Measured(z.array(z.object({ pid: z.number().int(), name: z.string().max(300), usedVramBytes: z.number().nullable() })).max(256)),
});

/** What the scheduler decided for one device. */
export const DeviceDecision = z.object({
  deviceId: z.string().max(200),
  action: SchedulerAction,
  reasons: z.array(SchedulerReason).max(32),
  /** Jobs with larger models are refused (power cap in smaller-jobs mode); null: no limit. */
  maxModelBytes: z.number().int().nonnegative().nullable(),
});
export type DeviceDecision = z.infer<typeof DeviceDecision>;

/** What `scheduler.get` returns and the `scheduler` event carries. */
export const SchedulerState = z.object({
  /** The node's decision: any reason anywhere holds back every job (the marketplace client serves all devices). */
  action: SchedulerAction,
  reasons: z.array(SchedulerReason).max(128),
  notices: z.array(SchedulerNotice).max(128),
  devices: z.array(DeviceDecision).max(64),
  /** When this decision was taken, and since when the action has been what it is (epoch ms). */
  evaluatedAt: z.number().int(),
  since: z.number().int(),
  manualPause: z.object({ all: z.boolean(), devices: z.array(z.string().max(200)).max(64) }),
  telemetry: z.array(DeviceSampleSchema).max(64),
});
export type SchedulerState = z.infer<typeof SchedulerState>;

/** Which devices a manual pause or resume applies to: omit `deviceId` for all of them. */
const PauseTarget = z.object({ deviceId: z.string().min(1).max(200).optional() }).strict();

export const schedulerMethods = {
  'scheduler.get': { input: z.object({}).strict(), output: SchedulerState },
  /** Pauses by hand (everything, or one device) until resumed; kept across restarts. */
  'scheduler.pause': { input: PauseTarget, output: SchedulerState },
  /** Lifts a manual pause (everything, or one device); other reasons still hold. */
  'scheduler.resume': { input: PauseTarget, output: SchedulerState },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;

export const schedulerEvents = {
  scheduler: SchedulerState,
} as const satisfies Record<string, z.ZodType>;
