// A returned promise that never settles: the grader's harness reports the test in flight from
// the process's 'exit' event ("Error: the returned promise never settled"), and so must the
// browser's worker (the web audit's finding 6).
function twoSum(nums, target) {
  return new Promise(() => {});
}
