function findMedianSortedArrays(nums1, nums2) {
  // Binary search for how many elements of the shorter array `a` belong to the
  // lower half of the merged order.
  const [a, b] = nums1.length <= nums2.length ? [nums1, nums2] : [nums2, nums1];
  const m = a.length;
  const n = b.length;
  const half = Math.floor((m + n + 1) / 2);
  let lo = 0;
  let hi = m;
  for (;;) {
    const i = Math.floor((lo + hi) / 2); // taken from a
    const j = half - i; // taken from b
    const aLeft = i > 0 ? a[i - 1] : -Infinity;
    const aRight = i < m ? a[i] : Infinity;
    const bLeft = j > 0 ? b[j - 1] : -Infinity;
    const bRight = j < n ? b[j] : Infinity;
    if (aLeft > bRight) {
      hi = i - 1;
    } else if (bLeft > aRight) {
      lo = i + 1;
    } else {
      const lower = Math.max(aLeft, bLeft);
      if ((m + n) % 2 === 1) return lower;
      return (lower + Math.min(aRight, bRight)) / 2;
    }
  }
}
