/**
 * An intrusive circular doubly-linked list, the kernel's `struct list_head`. The selectors'
 * tie-breaking depends on exactly where `list_move` and `list_move_tail` put an entry, so they
 * keep the kernel's lists instead of arrays; moving an entry allocates nothing.
 */
export class ListNode {
  prev: ListNode = this;
  next: ListNode = this;
}

/** A list head (the sentinel). Entries are {@link ListNode}s, usually subclassed with payload. */
export class ListHead extends ListNode {
  /** `list_empty`. */
  empty(): boolean {
    return this.next === this;
  }

  /** `list_add`: insert after the head (becomes the first entry). */
  add(node: ListNode): void {
    insert(node, this, this.next);
  }

  /** `list_add_tail`: insert before the head (becomes the last entry). */
  addTail(node: ListNode): void {
    insert(node, this.prev, this);
  }

  /** `list_move(node, this)`: unlink `node` from whatever list holds it and make it this list's first entry. */
  move(node: ListNode): void {
    unlink(node);
    insert(node, this, this.next);
  }

  /** `list_move_tail(node, this)`: unlink `node` and make it this list's last entry. */
  moveTail(node: ListNode): void {
    unlink(node);
    insert(node, this.prev, this);
  }

  /** `list_del`: unlink `node` (it then points to itself). */
  static del(node: ListNode): void {
    unlink(node);
    node.prev = node;
    node.next = node;
  }

  /** Entries in order (tests and status only: allocates). */
  toArray<T extends ListNode>(): T[] {
    const out: T[] = [];
    for (let n = this.next; n !== this; n = n.next) out.push(n as T);
    return out;
  }
}

function insert(node: ListNode, prev: ListNode, next: ListNode): void {
  next.prev = node;
  node.next = next;
  node.prev = prev;
  prev.next = node;
}

function unlink(node: ListNode): void {
  node.prev.next = node.next;
  node.next.prev = node.prev;
}
