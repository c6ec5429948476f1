// uaf_list_remove.c: a list walk reads a node after freeing it
// EXPECT: use-after-free
// remove_even() frees the current node and then reads cur->next to go on,
// but cur may already be freed.  Single-threaded; the bad read happens on every
// run.  Fix: save next = cur->next before free(cur).
#include <stdio.h>
#include <stdlib.h>

struct node {
    int value;
    char label[24]; /* keeps `next` clear of the allocator's own header */
    struct node *next;
};

static struct node *push(struct node *head, int value)
{
    struct node *n = calloc(1, sizeof *n);

    if (n == NULL)
        exit(1);
    n->value = value;
    n->next = head;
    return n;
}

static struct node *remove_even(struct node *head)
{
    struct node *prev = NULL, *cur = head;

    while (cur != NULL) {
        if (cur->value % 2 == 0) {
            if (prev != NULL)
                prev->next = cur->next;
            else
                head = cur->next;
            free(cur);
        } else {
            prev = cur;
        }
        cur = cur->next; /* the bug: reads cur after free(cur) */
    }
    return head;
}

static void free_all(struct node *head)
{
    while (head != NULL) {
        struct node *next = head->next;

        free(head);
        head = next;
    }
}

int main(void)
{
    struct node *head = NULL;

    for (int i = 1; i <= 4; i++)
        head = push(head, i);
    head = remove_even(head);
    for (struct node *n = head; n != NULL; n = n->next)
        printf("%d\n", n->value);
    free_all(head);
    return 0;
}
