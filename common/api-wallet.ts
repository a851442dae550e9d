/**
 * The wallet and claims part of the API contract: the built-in wallet's status and lifecycle, the
 * payout recipient, claims (preview → start → history) and an EIP-1193 entry point for the renderer's
 * wagmi connector. The private key appears in exactly one output, `wallet.exportKey`, which needs the
 * passphrase. Amounts are decimal strings of base units (token) or wei (native).
 */
import { z } from 'zod';
import { Address, Amount, Hex, PayoutInfo, Voucher } from './marketplace-protocol.js';

const NoInput = z.object({}).strict();
const Digest = z.string().regex(/^0x[0-9a-f]{64}$/);
const TxHash = z.string().regex(/^0x[0-9a-f]{64}$/);
/** A passphrase as typed; never logged, never echoed. */
const Passphrase = z.string().min(1).max(1024);

/** An amount with what it means, in words a person reads next to it. */
export const MeaningfulAmount = z.object({ amount: Amount, meaning: z.string().max(300) });

/** What `wallet.status` returns. */
export const WalletStatus = z.object({
  /** A key file exists in the data folder. */
  exists: z.boolean(),
  /** The key is not in memory (no wallet, or not unlocked yet). */
  locked: z.boolean(),
  address: Address.nullable(),
  /** Where vouchers should pay: the built-in address unless the user chose another. */
  recipient: Address.nullable(),
  recipientIsBuiltIn: z.boolean(),
  /** The key wrapper this session uses (`none`, or `safeStorage:<backend>`). */
  backend: z.string().max(100),
  /** The wrapper recorded in the key file; differs from `backend` → the passphrase is needed. */
  fileBackend: z.string().max(100).nullable(),
  /** The marketplace's payout chain, vault and token; null when none is known. */
  payout: PayoutInfo.nullable(),
  /** The RPC URL in use (the marketplace's, or the override). */
  rpcUrl: z.string().max(2048).nullable(),
  /** Why chain figures are missing (RPC unreachable, no RPC URL), or null. */
  chainError: z.string().max(2000).nullable(),
  /** The built-in address's native balance in wei (it pays the claim's gas). */
  nativeBalance: Amount.nullable(),
  /** The recipient's balance of the payout token. */
  tokenBalance: Amount.nullable(),
  pending: MeaningfulAmount.nullable(),
  claimable: MeaningfulAmount.nullable(),
  claimed: MeaningfulAmount.nullable(),
  /** Estimated cost of claiming now: gas units and the most it can cost in wei. */
  claimGas: z.object({ gas: Amount, costWei: Amount, costInToken: Amount.nullable() }).nullable(),
  /** False when the claimable amount is under 10× the gas cost (the UI warns); null without a price to compare. */
  worthClaiming: z.boolean().nullable(),
  worthClaimingNote: z.string().max(500),
});
export type WalletStatus = z.infer<typeof WalletStatus>;

/** A voucher given explicitly (otherwise the latest one in the ledger is used). */
export const VoucherInput = z
  .object({
    voucher: Voucher,
    signature: Hex,
    /** The chain and vault it was issued for, when known (a mismatch is refused). */
    chainId: z.number().int().positive().optional(),
    vault: Address.optional(),
  })
  .strict();

const ClaimTarget = z.object({ voucher: VoucherInput.optional() }).strict();

/** Why a voucher cannot be claimed, with the sentence the UI shows. */
export const ClaimRefusal = z.object({ code: z.string().max(64), message: z.string().max(2000) });

/** What `claim.preview` returns: what a claim would pay and cost, or why it cannot be made. */
export const ClaimPreviewResult = z.discriminatedUnion('canClaim', [
  z.object({
    canClaim: z.literal(true),
    digest: Digest,
    voucher: Voucher,
    /** The coordinator's signature, for a claim sent through the wagmi connector. */
    signature: Hex,
    alreadyClaimed: Amount,
    /** What the claim pays the recipient (from the simulation). */
    claimable: Amount,
    gas: Amount,
    costWei: Amount,
    worthClaiming: z.boolean().nullable(),
  }),
  z.object({ canClaim: z.literal(false), refusal: ClaimRefusal }),
]);

export const ClaimState = z.enum(['voucher', 'simulated', 'signed', 'broadcast', 'confirmed', 'failed']);

/** One claim in the history (and in `claim` events). */
export const ClaimItem = z.object({
  digest: Digest,
  state: ClaimState,
  chainId: z.number().int().positive(),
  token: Address,
  recipient: Address,
  cumulativeAmount: Amount,
  /** What the simulation said it would pay. */
  expectedPaid: Amount.nullable(),
  /** What the vault's Claimed event says it paid. */
  paid: Amount.nullable(),
  txHash: TxHash.nullable(),
  /** The transaction on the chain's explorer, when the chain has one. */
  explorerUrl: z.string().max(2200).nullable(),
  failCode: z.string().max(64).nullable(),
  reason: z.string().max(2000).nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
});
export type ClaimItem = z.infer<typeof ClaimItem>;

/** An EIP-1193 request from the renderer's wagmi connector. */
export const WalletRequest = z.object({ method: z.string().min(1).max(100), params: z.array(z.unknown()).max(4).optional() }).strict();

/** The wallet methods: name → zod input and output. */
export const walletMethods = {
  'wallet.status': { input: NoInput, output: WalletStatus },
  /** Creates a new random key, encrypted under the passphrase; the wallet is unlocked afterwards. */
  'wallet.create': { input: z.object({ passphrase: Passphrase }).strict(), output: z.object({ address: Address }) },
  'wallet.import': { input: z.object({ privateKey: z.string().max(100), passphrase: Passphrase }).strict(), output: z.object({ address: Address }) },
  /** Without a passphrase only where the OS keychain remembered the key (same backend). */
  'wallet.unlock': { input: z.object({ passphrase: Passphrase.optional() }).strict(), output: z.object({ address: Address }) },
  'wallet.lock': { input: NoInput, output: z.object({ locked: z.literal(true) }) },
  'wallet.setRecipient': { input: z.object({ recipient: z.string().max(100) }).strict(), output: z.object({ recipient: Address }) },
  /** The private key, only against the passphrase. */
  'wallet.exportKey': { input: z.object({ passphrase: Passphrase }).strict(), output: z.object({ privateKey: z.string().regex(/^0x[0-9a-f]{64}$/) }) },
  /** Every voucher check, the simulation and the gas estimate; sends nothing. */
  'claim.preview': { input: ClaimTarget, output: ClaimPreviewResult },
  /** Runs the claim to confirmed or failed; progress arrives as `claim` events. */
  'claim.start': { input: ClaimTarget, output: z.object({ claim: ClaimItem.nullable(), refusal: ClaimRefusal.nullable() }) },
  'claim.list': { input: z.object({ limit: z.number().int().min(1).max(200).optional() }).strict(), output: z.object({ items: z.array(ClaimItem).max(200) }) },
  /** EIP-1193 for the wagmi connector: accounts and chain id, and transactions the signing policy allows. */
  'wallet.request': { input: WalletRequest, output: z.object({ result: z.unknown() }) },
} as const;

/** Events of the wallet: each committed claim step. */
export const walletEvents = {
  claim: ClaimItem,
} as const;
