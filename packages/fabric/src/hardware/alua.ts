/**
 * ALUA (SPC-5 5.16) as the target implements it: asymmetric access states of target port
 * groups, as seen by one logical-unit group, and their transitions.
 */

/** Asymmetric access state codes (RTPG byte 0, low nibble). */
export const Aas = {
  ACTIVE_OPTIMIZED: 0x0,
  ACTIVE_NON_OPTIMIZED: 0x1,
  STANDBY: 0x2,
  UNAVAILABLE: 0x3,
  LBA_DEPENDENT: 0x4,
  OFFLINE: 0xe,
  TRANSITIONING: 0xf,
} as const;
export type Aas = (typeof Aas)[keyof typeof Aas];

/** Names used in profiles, fault timelines and reports (sysfs `access_state` wording). */
export type AluaStateName =
  | "active/optimized"
  | "active/non-optimized"
  | "standby"
  | "unavailable"
  | "lba-dependent"
  | "offline"
  | "transitioning";

const NAME_TO_AAS: Record<AluaStateName, Aas> = {
  "active/optimized": Aas.ACTIVE_OPTIMIZED,
  "active/non-optimized": Aas.ACTIVE_NON_OPTIMIZED,
  standby: Aas.STANDBY,
  unavailable: Aas.UNAVAILABLE,
  "lba-dependent": Aas.LBA_DEPENDENT,
  offline: Aas.OFFLINE,
  transitioning: Aas.TRANSITIONING,
};

export function aasFromName(name: AluaStateName): Aas {
  return NAME_TO_AAS[name];
}

export function aasName(aas: number): AluaStateName | "unknown" {
  for (const [k, v] of Object.entries(NAME_TO_AAS)) if (v === aas) return k as AluaStateName;
  return "unknown";
}

/** Supported-state bits of an RTPG descriptor (byte 1). */
export const AasSupport = {
  T_SUP: 0x80,
  O_SUP: 0x40,
  LBD_SUP: 0x10,
  U_SUP: 0x08,
  S_SUP: 0x04,
  AN_SUP: 0x02,
  AO_SUP: 0x01,
  ALL: 0xdf,
} as const;

/** RTPG status code: why the state last changed. */
export const TpgStatus = {
  NONE: 0x00,
  ALTERED_BY_STPG: 0x01,
  ALTERED_BY_IMPLICIT: 0x02,
} as const;

/** The ALUA state of one target port group for one LU group. */
export interface TpgState {
  readonly aas: Aas;
  readonly preferred: boolean;
  readonly status: number;
  /** While transitioning: the state it is moving to, and why (for the status code at the end). */
  readonly pending: { readonly to: Aas; readonly status: number } | null;
}

/** What changes a TPG's state. */
export type AluaEvent =
  | { readonly kind: "set"; readonly to: Aas; readonly explicit: boolean; readonly delayNs: number }
  | { readonly kind: "transition-done" }
  | { readonly kind: "set-preferred"; readonly preferred: boolean };

/** Side effects of a transition; the owner runs them. */
export type AluaEffect =
  | { readonly kind: "schedule-done"; readonly delayNs: number }
  | { readonly kind: "cancel-timer" }
  /** Queue UNIT ATTENTION 2A/06 on every I_T nexus of the LU group, except the initiator of an STPG. */
  | { readonly kind: "unit-attention"; readonly exceptInitiator: boolean };

/**
 * Pure ALUA transition. A change with a delay passes through `transitioning`; the UNIT ATTENTION
 * ASYMMETRIC ACCESS STATE CHANGED is raised when the new state is reached (as LIO does); an
 * explicit change (STPG) spares the nexus that asked for it.
 */
export function aluaTransition(s: TpgState, e: AluaEvent): [TpgState, AluaEffect[]] {
  switch (e.kind) {
    case "set": {
      const status = e.explicit ? TpgStatus.ALTERED_BY_STPG : TpgStatus.ALTERED_BY_IMPLICIT;
      const effects: AluaEffect[] = s.pending ? [{ kind: "cancel-timer" }] : [];
      if (e.delayNs > 0 && e.to !== Aas.TRANSITIONING) {
        effects.push({ kind: "schedule-done", delayNs: e.delayNs });
        return [{ ...s, aas: Aas.TRANSITIONING, pending: { to: e.to, status } }, effects];
      }
      if (s.aas === e.to && !s.pending) return [s, effects];
      effects.push({ kind: "unit-attention", exceptInitiator: e.explicit });
      return [{ ...s, aas: e.to, status, pending: null }, effects];
    }
    case "transition-done": {
      if (!s.pending) return [s, []];
      return [
        { ...s, aas: s.pending.to, status: s.pending.status, pending: null },
        [{ kind: "unit-attention", exceptInitiator: s.pending.status === TpgStatus.ALTERED_BY_STPG }],
      ];
    }
    case "set-preferred":
      if (s.preferred === e.preferred) return [s, []];
      return [{ ...s, preferred: e.preferred }, [{ kind: "unit-attention", exceptInitiator: false }]];
    default: {
      const never: never = e;
      return never;
    }
  }
}
