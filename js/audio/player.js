// Playback of an item's audio with the Web Audio API, from chunks of 16-bit PCM the
// kernel sends on request ({"type": "audio", "item_id", "chunk"}). Chunks are scheduled
// back to back on the AudioContext's clock, so the playhead is exact and playback of an
// hour-long file never needs more than a few chunks in the page. At another speed each
// chunk is time-stretched (stretch.js) and played at rate 1: voices keep their pitch.

import { stretch } from "./stretch.js";
import { chunkAt } from "./timeline.js";

/**
 * @typedef {{rate: number, chunk_frames: number, n_chunks: number}} PlaybackInfo
 * @typedef {{source: AudioBufferSourceNode, ctxStart: number, mediaStart: number, mediaEnd: number}} Scheduled
 */

/** Chunks kept per item (the one playing, its neighbours). */
const KEEP = 6;

export class Player {
  /**
   * @param {(itemId: string, chunk: number) => void} request asks the kernel for a chunk
   * @param {() => void} onChange called when playing starts or stops
   */
  constructor(request, onChange) {
    this.request = request;
    this.onChange = onChange;
    /** @type {AudioContext | null} */
    this.ctx = null;
    /** @type {string | null} */
    this.itemId = null;
    /** @type {PlaybackInfo | null} */
    this.info = null;
    this.duration = 0;
    /** @type {Map<number, AudioBuffer>} */
    this.chunks = new Map();
    /** @type {Map<number, {speed: number, buffer: AudioBuffer}>} chunks stretched for a speed */
    this.stretched = new Map();
    /** @type {Set<number>} */
    this.requested = new Set();
    /** @type {Scheduled[]} */
    this.scheduled = [];
    this.playing = false;
    this.speed = 1;
    /** time shown when paused, or where playback (re)started */
    this.anchor = 0;
    /** @type {number | null} stop here (play a segment) */
    this.until = null;
    /** @type {{start: number, end: number} | null} loop this range */
    this.loop = null;
    /** @type {number | null} next chunk to schedule once it arrives */
    this.waitingFor = null;
    this.nextAt = 0;
    this.nextIndex = 0;
    /** @type {number | undefined} */
    this.pendingOffset = undefined;
    /** @type {string | null} */
    this.error = null;
  }

  /**
   * Show another item: stop, forget the old chunks.
   * @param {string} itemId @param {PlaybackInfo} info @param {number} duration
   */
  setItem(itemId, info, duration) {
    if (this.itemId === itemId) return;
    this.stopSources();
    this.playing = false;
    this.itemId = itemId;
    this.info = info;
    this.duration = duration;
    this.chunks.clear();
    this.stretched.clear();
    this.requested.clear();
    this.anchor = 0;
    this.until = null;
    this.loop = null;
    this.error = null;
    this.onChange();
  }

  /** @returns {number} the playhead, seconds of the original timeline */
  get time() {
    if (!this.playing || !this.ctx || !this.scheduled.length) return this.anchor;
    const now = this.ctx.currentTime;
    let current = this.scheduled[0];
    for (const s of this.scheduled) if (s.ctxStart <= now) current = s;
    if (now < current.ctxStart) return current.mediaStart;
    return Math.min(current.mediaEnd, current.mediaStart + (now - current.ctxStart) * this.speed);
  }

  /**
   * A chunk arrived from the kernel.
   * @param {string} itemId @param {number} index @param {number} rate @param {DataView} data int16 LE
   */
  receive(itemId, index, rate, data) {
    if (itemId !== this.itemId) return;
    this.requested.delete(index);
    const n = data.byteLength >> 1;
    const samples = new Float32Array(n);
    for (let i = 0; i < n; i++) samples[i] = data.getInt16(2 * i, true) / 32768;
    const buffer = new AudioBuffer({ length: Math.max(1, n), numberOfChannels: 1, sampleRate: rate });
    if (n) buffer.copyToChannel(samples, 0);
    this.chunks.set(index, buffer);
    this.evict(index);
    if (this.playing && this.waitingFor === index) this.scheduleChunk(index);
  }

  /** @param {string} itemId @param {string} message */
  fail(itemId, message) {
    if (itemId !== this.itemId) return;
    this.error = message;
    this.pause();
  }

  /** @param {number} around */
  evict(around) {
    if (this.chunks.size <= KEEP) return;
    const far = [...this.chunks.keys()].sort((a, b) => Math.abs(b - around) - Math.abs(a - around));
    for (const k of far.slice(0, this.chunks.size - KEEP)) {
      this.chunks.delete(k);
      this.stretched.delete(k);
    }
  }

  /** @param {number} index */
  ensure(index) {
    if (!this.info || !this.itemId || index < 0 || index >= this.info.n_chunks) return;
    if (this.chunks.has(index) || this.requested.has(index)) return;
    this.requested.add(index);
    this.request(this.itemId, index);
  }

  /**
   * Start playing at `from` (default: the playhead).
   * @param {number} [from] @param {{until?: number | null, loop?: {start: number, end: number} | null}} [options]
   */
  play(from, options = {}) {
    if (!this.info) return;
    if (!this.ctx) this.ctx = new AudioContext();
    if (this.ctx.state === "suspended") this.ctx.resume();
    let t = from ?? this.time;
    if (t >= this.duration - 1e-3) t = 0;
    this.stopSources();
    this.anchor = Math.max(0, Math.min(t, this.duration));
    this.until = options.until ?? null;
    this.loop = options.loop ?? null;
    this.playing = true;
    this.error = null;
    const { index, offset } = chunkAt(this.anchor, this.info.chunk_frames, this.info.rate);
    this.nextAt = this.ctx.currentTime + 0.02;
    this.scheduleChunk(index, offset);
    this.onChange();
  }

  pause() {
    if (!this.playing) return;
    this.anchor = this.time;
    this.stopSources();
    this.playing = false;
    this.until = null;
    this.onChange();
  }

  /** @param {number} t */
  seek(t) {
    const to = Math.max(0, Math.min(t, this.duration));
    if (this.playing) this.play(to, { until: this.until, loop: this.loop });
    else this.anchor = to;
  }

  /** @param {number} speed */
  setSpeed(speed) {
    const t = this.time;
    this.speed = speed;
    if (this.playing) this.play(t, { until: this.until, loop: this.loop });
  }

  /**
   * Schedule chunk `index` from `offset` seconds into it, right after what is scheduled.
   * @param {number} index @param {number} [offset]
   */
  scheduleChunk(index, offset = 0) {
    const info = this.info;
    const ctx = this.ctx;
    if (!info || !ctx) return;
    if (index >= info.n_chunks) {
      this.waitingFor = null;
      return;
    }
    const buffer = this.chunks.get(index);
    if (!buffer) {
      this.waitingFor = index;
      this.pendingOffset = offset;
      this.ensure(index);
      return;
    }
    if (this.waitingFor === index && this.pendingOffset !== undefined) offset = this.pendingOffset;
    this.waitingFor = null;
    this.pendingOffset = undefined;
    const chunkStart = (index * info.chunk_frames) / info.rate;
    offset = Math.max(0, offset);
    const source = ctx.createBufferSource();
    // At another speed the chunk is stretched in time and played at rate 1, so the pitch
    // stays; its sample k stands for the chunk's sample k × speed (the playhead holds).
    source.buffer = this.speed === 1 ? buffer : this.stretchedChunk(index, buffer, offset);
    source.playbackRate.value = 1;
    const when = Math.max(this.nextAt, ctx.currentTime);
    source.connect(ctx.destination);
    source.start(when, this.speed === 1 ? offset : 0);
    const length = buffer.duration - offset;
    this.scheduled.push({
      source,
      ctxStart: when,
      mediaStart: chunkStart + offset,
      mediaEnd: chunkStart + buffer.duration,
    });
    this.nextAt = when + length / this.speed;
    this.nextIndex = index + 1;
    this.ensure(index + 1);
  }

  /**
   * Chunk `index` from `offset` seconds on, stretched to last `1 / speed` as long with its
   * pitch kept. A whole chunk's stretch is kept for the next time it plays at that speed.
   * @param {number} index @param {AudioBuffer} buffer @param {number} offset
   * @returns {AudioBuffer}
   */
  stretchedChunk(index, buffer, offset) {
    const skip = Math.min(buffer.length, Math.round(offset * buffer.sampleRate));
    const kept = this.stretched.get(index);
    if (skip === 0 && kept?.speed === this.speed) return kept.buffer;
    const samples = stretch(buffer.getChannelData(0).subarray(skip), this.speed, buffer.sampleRate);
    const out = new AudioBuffer({ length: samples.length, numberOfChannels: 1, sampleRate: buffer.sampleRate });
    out.copyToChannel(samples, 0);
    if (skip === 0) this.stretched.set(index, { speed: this.speed, buffer: out });
    return out;
  }

  stopSources() {
    for (const s of this.scheduled) {
      try {
        s.source.stop();
      } catch {
        // never started
      }
      s.source.disconnect();
    }
    this.scheduled = [];
    this.waitingFor = null;
  }

  /** Called every frame while playing: stop at `until`, loop, or stop at the end. */
  tick() {
    if (!this.playing || !this.ctx || !this.info) return;
    const now = this.ctx.currentTime;
    // Queue the next chunk two seconds before the scheduled audio runs out.
    if (this.waitingFor === null && this.nextIndex < this.info.n_chunks && this.nextAt - now < 2) {
      this.scheduleChunk(this.nextIndex);
    }
    while (this.scheduled.length > 1 && this.scheduled[1].ctxStart < now - 1) this.scheduled.shift();
    const t = this.time;
    if (this.loop && t >= this.loop.end) {
      this.play(this.loop.start, { loop: this.loop });
    } else if (this.until !== null && t >= this.until) {
      const until = this.until;
      this.pause();
      this.anchor = until;
    } else if (t >= this.duration - 1e-4 && this.nextIndex >= this.info.n_chunks) {
      this.pause();
      this.anchor = this.duration;
    }
  }

  close() {
    this.stopSources();
    this.playing = false;
    if (this.ctx) this.ctx.close();
    this.ctx = null;
  }
}
