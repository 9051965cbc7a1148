// Results remembered by the identity of the objects they were computed from. Facts gathered once are decided on
// many times (every replica's admission, every policy, re-evaluations), and a compiled rule is the same object
// for as long as its policy version is in force; what depends only on such objects is computed once. Keys are
// held weakly, so nothing outlives the facts, rules or data it was computed from, and a memoised result is the
// result itself: evaluation stays a pure function of its input.
export class IdentityMemo<A extends object, B extends object, V> {
  private readonly byFirst = new WeakMap<A, WeakMap<B, Map<string, V>>>();

  /** The value for (a, b, key), computed by `make` the first time. */
  get(a: A, b: B, key: string, make: () => V): V {
    let bySecond = this.byFirst.get(a);
    if (bySecond === undefined) {
      bySecond = new WeakMap();
      this.byFirst.set(a, bySecond);
    }
    let byKey = bySecond.get(b);
    if (byKey === undefined) {
      byKey = new Map();
      bySecond.set(b, byKey);
    }
    const known = byKey.get(key);
    if (known !== undefined) return known;
    const made = make();
    // A handful of keys per pair in practice (build times, release); bounded all the same.
    if (byKey.size >= 64) byKey.clear();
    byKey.set(key, made);
    return made;
  }
}
