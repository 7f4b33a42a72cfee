// Annotation ids made in the browser, so an edit can be shown before the kernel answers.

/** @returns {string} a random 32-hex-digit id (uuid4 without dashes, like Python's uuid4().hex) */
export function newId() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
