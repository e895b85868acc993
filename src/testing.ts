/**
 * Test and simulation helpers (`chorus/testing`): the virtual Reactor, whose time moves only when
 * stepped, and its seeded PRNG. The deterministic simulator builds on these.
 * @packageDocumentation
 */

export { Prng } from "./reactor/virtual/prng.js";
export { VirtualReactor, type VirtualReactorOptions } from "./reactor/virtual/virtual-reactor.js";
