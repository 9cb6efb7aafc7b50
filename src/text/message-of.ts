/**
 * A string message from anything thrown: an error's `message`, a thrown string, or a plain description. Never throws
 * (getters may, on hostile objects).
 */
export function messageOf(error: unknown): string {
  try {
    if (typeof error === 'string') return error;
    if (typeof error === 'object' && error !== null) {
      const message = (error as { message?: unknown }).message;
      if (typeof message === 'string') return message;
      return Object.prototype.toString.call(error);
    }
    return error === undefined || error === null ? '' : String(error);
  } catch {
    return '';
  }
}
