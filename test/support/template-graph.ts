/** The dependencies of each resource of a CloudFormation template: Ref, Fn::GetAtt, Fn::Sub and DependsOn. */
export function dependencyGraph(template: { Resources: Record<string, { DependsOn?: string | string[]; Properties?: unknown; [k: string]: unknown }> }): Map<string, Set<string>> {
  const ids = new Set(Object.keys(template.Resources));
  const graph = new Map<string, Set<string>>();
  const visit = (value: unknown, out: Set<string>): void => {
    if (Array.isArray(value)) return value.forEach((v) => visit(v, out));
    if (value === null || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string' && ids.has(inner)) out.add(inner);
      else if (key === 'Fn::GetAtt') {
        const target = Array.isArray(inner) ? inner[0] : String(inner).split('.')[0];
        if (ids.has(target)) out.add(target);
      } else if (key === 'Fn::Sub') {
        const text = Array.isArray(inner) ? inner[0] : inner;
        for (const m of String(text).matchAll(/\$\{([A-Za-z0-9]+)(\.[^}]*)?\}/g)) if (ids.has(m[1])) out.add(m[1]);
        if (Array.isArray(inner)) visit(inner[1], out);
      } else visit(inner, out);
    }
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    const out = new Set<string>();
    const { DependsOn, ...rest } = resource;
    for (const d of ([] as string[]).concat(DependsOn ?? [])) out.add(d);
    visit(rest, out);
    graph.set(id, out);
  }
  return graph;
}

/** Every cycle's path, found by depth-first search; empty when the graph is acyclic. */
export function findCycles(graph: Map<string, Set<string>>): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[][] = [];
  const stack: string[] = [];
  const dfs = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) dfs(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) dfs(node);
  return cycles;
}
