// SPDX-License-Identifier: GPL-2.0
/*
 * textpool administration: /sys/kernel/mm/textpool and debugfs textpool/.
 *
 * One value per file, see Documentation/ABI/testing/sysfs-kernel-mm-textpool:
 *
 *   enabled, reserve_chunks, max_chunks,
 *   max_total_chunks				tunables (0644)
 *   chunk_size, slot_size, max_chunks_limit	constants (0444)
 *   stats/					statistics of all nodes (0444)
 *   nodeN/					statistics of node N (0444)
 *   users/{bpf,ftrace,kprobes,modules}/	live allocations per user (0444)
 *
 * and debugfs textpool/chunks, one line per chunk (textpool_chunks_sops).
 *
 * Writes are parsed strictly: a decimal number (or, for enabled, exactly
 * 0/1/y/n/on/off), at most TEXTPOOL_SYSFS_MAX_INPUT characters plus one
 * optional trailing newline. Anything else is -EINVAL, a number that does not
 * fit is -ERANGE, and the value is then left as it was. Writers need
 * CAP_SYS_ADMIN. The values themselves live in mm/textpool.c; its statistics
 * are read without a lock, each value whole (READ_ONCE()).
 */

#define pr_fmt(fmt) "textpool: " fmt

#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/init.h>
#include <linux/kobject.h>
#include <linux/kstrtox.h>
#include <linux/nodemask.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/stringify.h>
#include <linux/sysfs.h>
#include <linux/textpool.h>

/* Longest value a tunable accepts, not counting one trailing newline. */
#define TEXTPOOL_SYSFS_MAX_INPUT	32

/* Upper bound of reserve_chunks, part of the ABI. */
#define TEXTPOOL_SYSFS_MAX_RESERVE	64

/* The users that have a directory in users/. */
static const enum textpool_user textpool_sysfs_users[] = {
	TEXTPOOL_BPF,
	TEXTPOOL_FTRACE,
	TEXTPOOL_KPROBES,
	TEXTPOOL_MODULES,
};

/**
 * textpool_sysfs_input() - check a write and copy it out of the sysfs buffer
 * @buf: what was written (NUL-terminated by sysfs, but may contain NULs)
 * @count: bytes written
 * @val: where to put the value, TEXTPOOL_SYSFS_MAX_INPUT + 1 bytes
 *
 * Drops one trailing newline and rejects empty values, values that are too
 * long and values with a NUL or a newline inside.
 *
 * Return: 0 with @val NUL-terminated, or -EINVAL.
 */
static int textpool_sysfs_input(const char *buf, size_t count, char *val)
{
	if (count && buf[count - 1] == '\n')
		count--;
	if (!count || count > TEXTPOOL_SYSFS_MAX_INPUT)
		return -EINVAL;
	if (memchr(buf, '\0', count) || memchr(buf, '\n', count))
		return -EINVAL;
	memcpy(val, buf, count);
	val[count] = '\0';
	return 0;
}

/**
 * textpool_sysfs_uint() - parse an unsigned decimal value written to sysfs
 * @buf: what was written
 * @count: bytes written
 * @max: largest value accepted
 * @res: the value
 *
 * Return: 0 and @res set, -EINVAL for anything that is not a decimal number
 * in 0..@max (see textpool_sysfs_input()), -ERANGE for a number that does
 * not fit in an unsigned int.
 */
static int textpool_sysfs_uint(const char *buf, size_t count,
			       unsigned int max, unsigned int *res)
{
	char val[TEXTPOOL_SYSFS_MAX_INPUT + 1];
	unsigned int nr;
	int err;

	err = textpool_sysfs_input(buf, count, val);
	if (err)
		return err;
	err = kstrtouint(val, 10, &nr);
	if (err)
		return err;
	if (nr > max)
		return -EINVAL;
	*res = nr;
	return 0;
}

/**
 * textpool_sysfs_bool() - parse a boolean written to sysfs
 * @buf: what was written
 * @count: bytes written
 * @res: the value
 *
 * Unlike kstrtobool(), which looks at the first characters only, the whole
 * value must be one of 0, 1, n, y, off, on.
 *
 * Return: 0 and @res set, or -EINVAL.
 */
static int textpool_sysfs_bool(const char *buf, size_t count, bool *res)
{
	static const char * const false_words[] = { "0", "n", "off" };
	static const char * const true_words[] = { "1", "y", "on" };
	char val[TEXTPOOL_SYSFS_MAX_INPUT + 1];
	int err, i;

	err = textpool_sysfs_input(buf, count, val);
	if (err)
		return err;
	for (i = 0; i < ARRAY_SIZE(false_words); i++) {
		if (!strcmp(val, false_words[i])) {
			*res = false;
			return 0;
		}
		if (!strcmp(val, true_words[i])) {
			*res = true;
			return 0;
		}
	}
	return -EINVAL;
}

/**
 * textpool_sysfs_store_uint() - the store of an unsigned tunable
 * @buf: what was written
 * @count: bytes written
 * @max: largest value accepted
 * @set: the setter of mm/textpool.c
 *
 * Return: @count, -EPERM without CAP_SYS_ADMIN, or the error of
 * textpool_sysfs_uint() or of @set (the value is then unchanged).
 */
static ssize_t textpool_sysfs_store_uint(const char *buf, size_t count,
					 unsigned int max,
					 int (*set)(unsigned int nr))
{
	unsigned int nr;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	err = textpool_sysfs_uint(buf, count, max, &nr);
	if (!err)
		err = set(nr);
	return err ? err : count;
}

/* Tunables */

static ssize_t enabled_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n", textpool_enabled());
}

static ssize_t enabled_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	bool enabled;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	err = textpool_sysfs_bool(buf, count, &enabled);
	if (err)
		return err;
	textpool_set_enabled(enabled);
	return count;
}

static struct kobj_attribute enabled_attr = __ATTR_RW_MODE(enabled, 0644);

static ssize_t reserve_chunks_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", textpool_reserve_chunks());
}

static ssize_t reserve_chunks_store(struct kobject *kobj,
				    struct kobj_attribute *attr,
				    const char *buf, size_t count)
{
	return textpool_sysfs_store_uint(buf, count, TEXTPOOL_SYSFS_MAX_RESERVE,
					 textpool_set_reserve_chunks);
}

static struct kobj_attribute reserve_chunks_attr =
	__ATTR_RW_MODE(reserve_chunks, 0644);

static ssize_t max_chunks_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", textpool_max_chunks());
}

static ssize_t max_chunks_store(struct kobject *kobj,
				struct kobj_attribute *attr,
				const char *buf, size_t count)
{
	return textpool_sysfs_store_uint(buf, count, textpool_max_chunks_limit(),
					 textpool_set_max_chunks);
}

static struct kobj_attribute max_chunks_attr = __ATTR_RW_MODE(max_chunks, 0644);

static ssize_t max_total_chunks_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", textpool_max_total_chunks());
}

static ssize_t max_total_chunks_store(struct kobject *kobj,
				      struct kobj_attribute *attr,
				      const char *buf, size_t count)
{
	return textpool_sysfs_store_uint(buf, count, textpool_max_chunks_limit(),
					 textpool_set_max_total_chunks);
}

static struct kobj_attribute max_total_chunks_attr =
	__ATTR_RW_MODE(max_total_chunks, 0644);

/* Constants */

static ssize_t chunk_size_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", TEXTPOOL_CHUNK_SIZE);
}

static struct kobj_attribute chunk_size_attr = __ATTR_RO_MODE(chunk_size, 0444);

static ssize_t slot_size_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", TEXTPOOL_SLOT_SIZE);
}

static struct kobj_attribute slot_size_attr = __ATTR_RO_MODE(slot_size, 0444);

static ssize_t max_chunks_limit_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", textpool_max_chunks_limit());
}

static struct kobj_attribute max_chunks_limit_attr =
	__ATTR_RO_MODE(max_chunks_limit, 0444);

static struct attribute *textpool_attrs[] = {
	&enabled_attr.attr,
	&reserve_chunks_attr.attr,
	&max_chunks_attr.attr,
	&max_total_chunks_attr.attr,
	&chunk_size_attr.attr,
	&slot_size_attr.attr,
	&max_chunks_limit_attr.attr,
	NULL,
};

static const struct attribute_group textpool_attr_group = {
	.attrs = textpool_attrs,
};

/* Statistics: stats/ (nid == NUMA_NO_NODE) and nodeN/ */

/**
 * struct textpool_stats_dir - a directory of statistics
 * @kobj: its kobject
 * @nid: the node it describes, NUMA_NO_NODE for all of them
 */
struct textpool_stats_dir {
	struct kobject kobj;
	int nid;
};

/**
 * struct textpool_stat_attr - one file of a statistics directory
 * @kattr: the attribute
 * @offset: offset of its field in struct textpool_stats
 */
struct textpool_stat_attr {
	struct kobj_attribute kattr;
	size_t offset;
};

static ssize_t textpool_stat_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	struct textpool_stats_dir *dir =
		container_of(kobj, struct textpool_stats_dir, kobj);
	struct textpool_stat_attr *sattr =
		container_of(attr, struct textpool_stat_attr, kattr);
	struct textpool_stats stats;

	textpool_get_stats(dir->nid, &stats);
	return sysfs_emit(buf, "%lu\n",
			  *(unsigned long *)((char *)&stats + sattr->offset));
}

#define TEXTPOOL_STAT_ATTR_FIELD(_name, _field)				\
static struct textpool_stat_attr textpool_stat_##_name = {		\
	.kattr = {							\
		.attr = { .name = __stringify(_name), .mode = 0444 },	\
		.show = textpool_stat_show,				\
	},								\
	.offset = offsetof(struct textpool_stats, _field),		\
}

TEXTPOOL_STAT_ATTR_FIELD(chunks, chunks);
TEXTPOOL_STAT_ATTR_FIELD(allocations, allocations);
TEXTPOOL_STAT_ATTR_FIELD(allocated_bytes, allocated_bytes);
TEXTPOOL_STAT_ATTR_FIELD(requested_bytes, requested_bytes);
TEXTPOOL_STAT_ATTR_FIELD(free_bytes, free_bytes);
TEXTPOOL_STAT_ATTR_FIELD(largest_free, largest_free);
TEXTPOOL_STAT_ATTR_FIELD(alloc_total, alloc_total);
TEXTPOOL_STAT_ATTR_FIELD(free_total, free_total);
TEXTPOOL_STAT_ATTR_FIELD(alloc_failures, alloc_failures);
TEXTPOOL_STAT_ATTR_FIELD(fallback_allocs, fallback_allocs);
TEXTPOOL_STAT_ATTR_FIELD(fallback_large, fallback_causes[TEXTPOOL_FB_LARGE]);
TEXTPOOL_STAT_ATTR_FIELD(fallback_disabled,
			 fallback_causes[TEXTPOOL_FB_DISABLED]);
TEXTPOOL_STAT_ATTR_FIELD(fallback_early, fallback_causes[TEXTPOOL_FB_EARLY]);
TEXTPOOL_STAT_ATTR_FIELD(fallback_limit, fallback_causes[TEXTPOOL_FB_LIMIT]);
TEXTPOOL_STAT_ATTR_FIELD(fallback_nomem, fallback_causes[TEXTPOOL_FB_NOMEM]);
TEXTPOOL_STAT_ATTR_FIELD(fallback_allocations, fallback_allocations);
TEXTPOOL_STAT_ATTR_FIELD(fallback_allocated_bytes, fallback_allocated_bytes);
TEXTPOOL_STAT_ATTR_FIELD(remote_allocs, remote_allocs);
TEXTPOOL_STAT_ATTR_FIELD(grow_failures, grow_failures);
TEXTPOOL_STAT_ATTR_FIELD(shrunk_chunks, shrunk_chunks);
TEXTPOOL_STAT_ATTR_FIELD(bad_frees, bad_frees);
TEXTPOOL_STAT_ATTR_FIELD(wrong_user, wrong_user);

static struct attribute *textpool_stats_attrs[] = {
	&textpool_stat_chunks.kattr.attr,
	&textpool_stat_allocations.kattr.attr,
	&textpool_stat_allocated_bytes.kattr.attr,
	&textpool_stat_requested_bytes.kattr.attr,
	&textpool_stat_free_bytes.kattr.attr,
	&textpool_stat_largest_free.kattr.attr,
	&textpool_stat_alloc_total.kattr.attr,
	&textpool_stat_free_total.kattr.attr,
	&textpool_stat_alloc_failures.kattr.attr,
	&textpool_stat_fallback_allocs.kattr.attr,
	&textpool_stat_fallback_large.kattr.attr,
	&textpool_stat_fallback_disabled.kattr.attr,
	&textpool_stat_fallback_early.kattr.attr,
	&textpool_stat_fallback_limit.kattr.attr,
	&textpool_stat_fallback_nomem.kattr.attr,
	&textpool_stat_fallback_allocations.kattr.attr,
	&textpool_stat_fallback_allocated_bytes.kattr.attr,
	&textpool_stat_remote_allocs.kattr.attr,
	&textpool_stat_grow_failures.kattr.attr,
	&textpool_stat_shrunk_chunks.kattr.attr,
	&textpool_stat_bad_frees.kattr.attr,
	&textpool_stat_wrong_user.kattr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(textpool_stats);

static void textpool_stats_dir_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct textpool_stats_dir, kobj));
}

static const struct kobj_type textpool_stats_ktype = {
	.release = textpool_stats_dir_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = textpool_stats_groups,
};

/* Per user: users/NAME/ */

/**
 * struct textpool_user_dir - the directory of one user
 * @kobj: its kobject
 * @user: the user it describes
 */
struct textpool_user_dir {
	struct kobject kobj;
	enum textpool_user user;
};

static struct textpool_user_dir *to_user_dir(struct kobject *kobj)
{
	return container_of(kobj, struct textpool_user_dir, kobj);
}

static ssize_t user_allocations_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	struct textpool_user_stats stats;

	textpool_get_user_stats(to_user_dir(kobj)->user, &stats);
	return sysfs_emit(buf, "%lu\n", stats.allocations);
}

static ssize_t user_allocated_bytes_show(struct kobject *kobj,
					 struct kobj_attribute *attr, char *buf)
{
	struct textpool_user_stats stats;

	textpool_get_user_stats(to_user_dir(kobj)->user, &stats);
	return sysfs_emit(buf, "%lu\n", stats.allocated_bytes);
}

static struct kobj_attribute user_allocations_attr =
	__ATTR(allocations, 0444, user_allocations_show, NULL);
static struct kobj_attribute user_allocated_bytes_attr =
	__ATTR(allocated_bytes, 0444, user_allocated_bytes_show, NULL);

static struct attribute *textpool_user_attrs[] = {
	&user_allocations_attr.attr,
	&user_allocated_bytes_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(textpool_user);

static void textpool_user_dir_release(struct kobject *kobj)
{
	kfree(to_user_dir(kobj));
}

static const struct kobj_type textpool_user_ktype = {
	.release = textpool_user_dir_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = textpool_user_groups,
};

/* Setup */

static struct kobject *textpool_kobj;
static struct kobject *textpool_users_kobj;

static int __init textpool_sysfs_add_stats(int nid)
{
	struct textpool_stats_dir *dir;
	int err;

	dir = kzalloc(sizeof(*dir), GFP_KERNEL);
	if (!dir)
		return -ENOMEM;
	dir->nid = nid;
	if (nid == NUMA_NO_NODE)
		err = kobject_init_and_add(&dir->kobj, &textpool_stats_ktype,
					   textpool_kobj, "stats");
	else
		err = kobject_init_and_add(&dir->kobj, &textpool_stats_ktype,
					   textpool_kobj, "node%d", nid);
	if (err)
		kobject_put(&dir->kobj);
	return err;
}

static int __init textpool_sysfs_add_user(enum textpool_user user)
{
	struct textpool_user_dir *dir;
	int err;

	dir = kzalloc(sizeof(*dir), GFP_KERNEL);
	if (!dir)
		return -ENOMEM;
	dir->user = user;
	err = kobject_init_and_add(&dir->kobj, &textpool_user_ktype,
				   textpool_users_kobj, "%s",
				   textpool_user_name(user));
	if (err)
		kobject_put(&dir->kobj);
	return err;
}

static int __init textpool_sysfs_init(void)
{
	int nid, i, err;

	textpool_kobj = kobject_create_and_add("textpool", mm_kobj);
	if (!textpool_kobj)
		return -ENOMEM;
	err = sysfs_create_group(textpool_kobj, &textpool_attr_group);
	if (err)
		goto out;
	err = textpool_sysfs_add_stats(NUMA_NO_NODE);
	if (err)
		goto out;
	for_each_node_state(nid, N_MEMORY) {
		err = textpool_sysfs_add_stats(nid);
		if (err)
			goto out;
	}
	textpool_users_kobj = kobject_create_and_add("users", textpool_kobj);
	if (!textpool_users_kobj) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < ARRAY_SIZE(textpool_sysfs_users); i++) {
		err = textpool_sysfs_add_user(textpool_sysfs_users[i]);
		if (err)
			goto out;
	}
	return 0;
out:
	/*
	 * Leave the directory in place, without the part that failed: the
	 * pool works without it, and each child holds a reference on its
	 * parent, so nothing here can be freed under a reader.
	 */
	pr_warn("incomplete /sys/kernel/mm/textpool: %d\n", err);
	return err;
}

/* debugfs: textpool/chunks */

/* One record per chunk; private: the node textpool_chunks_sops holds. */
static int textpool_chunks_open(struct inode *inode, struct file *file)
{
	return seq_open_private(file, &textpool_chunks_sops, sizeof(int));
}

static const struct file_operations textpool_chunks_fops = {
	.open = textpool_chunks_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

static void __init textpool_debugfs_init(void)
{
	struct dentry *dir;

	dir = debugfs_create_dir("textpool", NULL);
	debugfs_create_file("chunks", 0444, dir, NULL, &textpool_chunks_fops);
}

static int __init textpool_admin_init(void)
{
	textpool_debugfs_init();
	return textpool_sysfs_init();
}
late_initcall(textpool_admin_init);
