/**
 * The namespaces of one server: static ones by name, and dynamic (parent) namespaces asked in
 * creation order when a client connects to a name that does not exist yet — like the
 * reference's `_checkNamespace`: the first parent whose predicate accepts creates the child; a
 * predicate that refuses or errs hands over to the next; none accepting means "Invalid namespace".
 */
import type { NamespaceResolver } from "./connection.js";
import { namespaceProblem } from "./packet.js";
import { SocketIoNamespace, type SocketIoNamespaceServer } from "./socket-io-namespace.js";
import {
  type ChildNamespaceLimits,
  type SocketIoNamespacePredicate,
  SocketIoParentNamespace,
} from "./socket-io-parent-namespace.js";

/** Static and dynamic namespaces of one server. */
export class NamespaceRegistry implements NamespaceResolver {
  readonly #server: SocketIoNamespaceServer;
  readonly #limits: ChildNamespaceLimits;
  readonly #namespaces = new Map<string, SocketIoNamespace>();
  readonly #parents: SocketIoParentNamespace[] = [];

  constructor(server: SocketIoNamespaceServer, limits: ChildNamespaceLimits) {
    this.#server = server;
    this.#limits = limits;
  }

  /** Every namespace created so far (static and children of dynamic ones), by name. */
  get namespaces(): ReadonlyMap<string, SocketIoNamespace> {
    return this.#namespaces;
  }

  /** The dynamic namespaces, in creation order. */
  get parents(): readonly SocketIoParentNamespace[] {
    return this.#parents;
  }

  /**
   * The namespace `name`: an existing one, a child of the first dynamic namespace whose RegExp
   * matches it, or a new static one.
   * @throws RangeError for a name that does not start with `/` or holds a comma or control character.
   */
  byName(name: string): SocketIoNamespace {
    const problem = namespaceProblem(name);
    if (problem !== null) throw new RangeError(`namespace ${problem}: ${JSON.stringify(name)}`);
    const existing = this.#namespaces.get(name);
    if (existing !== undefined) return existing;
    for (const parent of this.#parents) {
      if (parent.pattern === null || !parent.pattern.test(name)) continue;
      const child = this.#adopt(parent, name);
      if (child !== null) return child;
    }
    const nsp = new SocketIoNamespace(name, this.#server);
    this.#namespaces.set(name, nsp);
    return nsp;
  }

  /**
   * A new dynamic namespace.
   * @throws RangeError for a global or sticky RegExp; TypeError for anything but a RegExp or function.
   */
  dynamic(matcher: RegExp | SocketIoNamespacePredicate): SocketIoParentNamespace {
    const forget = (child: SocketIoNamespace): void => {
      if (this.#namespaces.get(child.name) === child) this.#namespaces.delete(child.name);
    };
    const parent = new SocketIoParentNamespace(matcher, this.#server, this.#limits, forget);
    this.#parents.push(parent);
    return parent;
  }

  /** See {@link NamespaceResolver.get}. */
  get(name: string): SocketIoNamespace | undefined {
    return this.#namespaces.get(name);
  }

  /** See {@link NamespaceResolver.resolve}: asks each parent in turn. */
  resolve(name: string, auth: Readonly<Record<string, unknown>>, done: () => void): void {
    if (namespaceProblem(name) !== null) return done();
    let index = 0;
    const next = (): void => {
      const parent = this.#parents[index++];
      if (parent === undefined) return done();
      let answered = false;
      parent.predicate(name, auth, (error, allow) => {
        if (answered) return;
        answered = true;
        if (error !== null && error !== undefined) return next();
        if (!allow) return next();
        if (!this.#namespaces.has(name) && this.#adopt(parent, name) === null) return next();
        done();
      });
    };
    next();
  }

  #adopt(parent: SocketIoParentNamespace, name: string): SocketIoNamespace | null {
    const child = parent.createChild(name);
    if (child !== null) this.#namespaces.set(name, child);
    return child;
  }
}
