// The reference solution in JavaScript (never shown to learners): `polyrun check` grades
// it against every test, hidden ones included. Rewrite it for your problem: the function
// is problem.toml's `function` in lowerCamelCase (two_sum → twoSum), its parameters too.
// Each of solution.py, .rb, .js is optional.
function add(a, b) {
  return a + b;
}
