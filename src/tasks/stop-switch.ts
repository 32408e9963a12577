/** Why a running attempt was stopped from outside. */
export type StopReason = { kind: 'cancel'; by: string } | { kind: 'lease-lost' } | { kind: 'shutdown' };

/**
 * An attempt's stop switch. Its AbortController is made only when the processor asks for the signal: most
 * short tasks never do, and a controller and signal per task showed in the drain's profile.
 */
export class StopSwitch {
  /** Set by the first stop; later ones are ignored. */
  reason: StopReason | undefined;
  #controller: AbortController | undefined;

  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.reason) this.#controller.abort(this.reason);
    }
    return this.#controller.signal;
  }

  stop(reason: StopReason): void {
    if (this.reason) return;
    this.reason = reason;
    this.#controller?.abort(reason);
  }
}
