"""Checks a Python example against the generated jsii module, without importing it.

The module cannot be imported here (its jsii runtime and aws-cdk-lib's Python distribution are
on PyPI only), so this reads both with `ast`: every name the example imports from the module must
be a class of it, every call on such a class (its constructor or a static method) must name a
method it has, and every keyword the call passes must be a parameter of that method (for a struct,
of its __init__). Prints one problem per line; exits 1 when there is any.

Usage: check-python-example.py <generated __init__.py> <example.py> <module name>
"""
import ast
import sys


def classes_of(path):
    tree = ast.parse(open(path, encoding="utf-8").read())
    found = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            methods = {}
            for item in node.body:
                if isinstance(item, ast.FunctionDef):
                    args = item.args
                    names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]
                    # jsii's typechecking stubs and overloads repeat a method: keep the richest.
                    if item.name not in methods or len(names) > len(methods[item.name]):
                        methods[item.name] = names
            found[node.name] = methods
    return found


def main(module_path, example_path, module_name):
    classes = classes_of(module_path)
    example = ast.parse(open(example_path, encoding="utf-8").read())
    imported = {}
    problems = []
    for node in ast.walk(example):
        if isinstance(node, ast.ImportFrom) and node.module == module_name:
            for alias in node.names:
                if alias.name not in classes:
                    problems.append(f"{alias.name} is not a class of {module_name}")
                else:
                    imported[alias.asname or alias.name] = alias.name
    calls = 0
    for node in ast.walk(example):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in imported:
            cls, method = imported[func.id], "__init__"
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in imported:
            cls, method = imported[func.value.id], func.attr
        else:
            continue
        calls += 1
        params = classes[cls].get(method)
        if params is None:
            problems.append(f"{cls}.{method} does not exist")
            continue
        for keyword in node.keywords:
            if keyword.arg is not None and keyword.arg not in params:
                problems.append(f"{cls}.{method} has no parameter {keyword.arg} (it has {', '.join(p for p in params if p != 'self')})")
    if not imported or calls == 0:
        problems.append("the example uses nothing of the module")
    for problem in problems:
        print(problem)
    print(f"checked {len(imported)} names and {calls} calls", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
