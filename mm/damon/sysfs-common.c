// SPDX-License-Identifier: GPL-2.0
/*
 * The generic half of the DAMON sysfs interface: directories built from
 * tables (see sysfs-common.h), the one show/store pair that serves every
 * field file, and the "nr_*" files that resize a list of numbered children.
 *
 * Field files are read and written without a lock: each is one naturally
 * aligned word, and their values matter only when a state command reads
 * them, which it does under damon_sysfs_lock.  Everything that adds or
 * removes directories takes damon_sysfs_lock, always by trylock, because a
 * writer removing a directory waits for the other files of that directory
 * to finish, and one of them might be waiting for the lock.
 */

#include <linux/kstrtox.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "sysfs-common.h"

/*
 * damon_sysfs_lock serialises every change of the tree's shape (nr_* writes)
 * and every state command, so that a command sees the tree as one
 * consistent set of parameters and never races with a kdamond being turned
 * on or off.  Take it only with mutex_trylock(); contention is -EBUSY.
 */
DEFINE_MUTEX(damon_sysfs_lock);

static struct damon_sysfs_dir *damon_sysfs_to_dir(struct kobject *kobj)
{
	return container_of(kobj, struct damon_sysfs_dir, kobj);
}

static const struct damon_sysfs_file *damon_sysfs_to_file(struct kobj_attribute *attr)
{
	return container_of(attr, struct damon_sysfs_file, kattr);
}

static void *damon_sysfs_field(struct kobject *kobj, const struct damon_sysfs_file *f)
{
	return (char *)damon_sysfs_to_dir(kobj)->obj + f->off;
}

/**
 * damon_sysfs_parse_keyword() - find a written keyword in a keyword list.
 * @keywords:	the NULL-terminated list.
 * @buf:	what was written; one trailing newline is ignored.
 *
 * Return: the keyword's index in @keywords, or -EINVAL if it is not there.
 */
int damon_sysfs_parse_keyword(const char * const *keywords, const char *buf)
{
	int i;

	for (i = 0; keywords[i]; i++) {
		if (sysfs_streq(buf, keywords[i]))
			return i;
	}
	return -EINVAL;
}

/**
 * damon_sysfs_file_show() - print the field of a field file.
 * @kobj:	the kobject of the file's directory.
 * @attr:	the file; part of a struct damon_sysfs_file.
 * @buf:	the page to print to.
 *
 * Return: the length printed.
 */
ssize_t damon_sysfs_file_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	const struct damon_sysfs_file *f = damon_sysfs_to_file(attr);
	void *field = damon_sysfs_field(kobj, f);

	switch (f->ftype) {
	case DAMON_SYSFS_FT_ULONG:
		return sysfs_emit(buf, "%lu\n", READ_ONCE(*(unsigned long *)field));
	case DAMON_SYSFS_FT_UINT:
		return sysfs_emit(buf, "%u\n", READ_ONCE(*(unsigned int *)field));
	case DAMON_SYSFS_FT_INT:
		return sysfs_emit(buf, "%d\n", READ_ONCE(*(int *)field));
	case DAMON_SYSFS_FT_BOOL:
		return sysfs_emit(buf, "%c\n", READ_ONCE(*(bool *)field) ? 'Y' : 'N');
	case DAMON_SYSFS_FT_KEYWORD:
		return sysfs_emit(buf, "%s\n",
				  f->keywords[READ_ONCE(*(unsigned int *)field)]);
	default:
		return -EINVAL;
	}
}

/* Parse an unsigned long and check it against the file's minimum. */
static int damon_sysfs_parse_ulong(const struct damon_sysfs_file *f, const char *buf,
				   unsigned long *val)
{
	int err = kstrtoul(buf, 0, val);

	if (err)
		return err;
	return *val < f->min ? -EINVAL : 0;
}

static int damon_sysfs_parse_uint(const struct damon_sysfs_file *f, const char *buf,
				  unsigned int *val)
{
	int err = kstrtouint(buf, 0, val);

	if (err)
		return err;
	return *val < f->min ? -EINVAL : 0;
}

/* Parse @buf as @f says and store it in @field; nothing is stored on error. */
static int damon_sysfs_parse_field(const struct damon_sysfs_file *f, const char *buf,
				   void *field)
{
	unsigned long ul;
	unsigned int ui;
	bool b;
	int i, err;

	switch (f->ftype) {
	case DAMON_SYSFS_FT_ULONG:
		err = damon_sysfs_parse_ulong(f, buf, &ul);
		if (!err)
			WRITE_ONCE(*(unsigned long *)field, ul);
		return err;
	case DAMON_SYSFS_FT_UINT:
		err = damon_sysfs_parse_uint(f, buf, &ui);
		if (!err)
			WRITE_ONCE(*(unsigned int *)field, ui);
		return err;
	case DAMON_SYSFS_FT_INT:
		err = kstrtoint(buf, 0, &i);
		if (!err)
			WRITE_ONCE(*(int *)field, i);
		return err;
	case DAMON_SYSFS_FT_BOOL:
		err = kstrtobool(buf, &b);
		if (!err)
			WRITE_ONCE(*(bool *)field, b);
		return err;
	case DAMON_SYSFS_FT_KEYWORD:
		i = damon_sysfs_parse_keyword(f->keywords, buf);
		if (i < 0)
			return i;
		WRITE_ONCE(*(unsigned int *)field, i);
		return 0;
	default:
		return -EINVAL;
	}
}

/**
 * damon_sysfs_file_store() - parse a write to a field file into its field.
 * @kobj:	the kobject of the file's directory.
 * @attr:	the file; part of a struct damon_sysfs_file.
 * @buf:	what was written.
 * @count:	its length.
 *
 * Return: @count, or the parser's error (the field is then unchanged).
 */
ssize_t damon_sysfs_file_store(struct kobject *kobj, struct kobj_attribute *attr,
			       const char *buf, size_t count)
{
	const struct damon_sysfs_file *f = damon_sysfs_to_file(attr);
	int err = damon_sysfs_parse_field(f, buf, damon_sysfs_field(kobj, f));

	return err ? err : count;
}

/* Give the fields that @dir's files show their default values. */
static void damon_sysfs_set_defaults(struct damon_sysfs_dir *dir)
{
	const struct damon_sysfs_dir_type *type = dir->type;
	unsigned int i;

	for (i = 0; i < type->nr_files; i++) {
		const struct damon_sysfs_file *f = &type->files[i];
		void *field = (char *)dir->obj + f->off;

		switch (f->ftype) {
		case DAMON_SYSFS_FT_ULONG:
			*(unsigned long *)field = f->dflt;
			break;
		case DAMON_SYSFS_FT_UINT:
		case DAMON_SYSFS_FT_KEYWORD:
			*(unsigned int *)field = f->dflt;
			break;
		case DAMON_SYSFS_FT_INT:
			*(int *)field = f->dflt;
			break;
		case DAMON_SYSFS_FT_BOOL:
			*(bool *)field = f->dflt;
			break;
		default:
			break;
		}
	}
}

static void damon_sysfs_dir_release(struct kobject *kobj)
{
	struct damon_sysfs_dir *dir = damon_sysfs_to_dir(kobj);

	kfree(dir->subdirs);
	/* the directory starts its object, so this frees the object too */
	kfree(dir);
}

static const struct kobj_type damon_sysfs_ktype = {
	.release = damon_sysfs_dir_release,
	.sysfs_ops = &kobj_sysfs_ops,
};

/* Create @dir's files and fixed subdirectories. */
static int damon_sysfs_dir_populate(struct damon_sysfs_dir *dir)
{
	const struct damon_sysfs_dir_type *type = dir->type;
	struct damon_sysfs_dir *sub;
	unsigned int i;
	int err;

	for (i = 0; i < type->nr_files; i++) {
		err = sysfs_create_file(&dir->kobj, &type->files[i].kattr.attr);
		if (err)
			return err;
	}
	for (i = 0; i < type->nr_subdirs; i++) {
		sub = damon_sysfs_dir_create(type->subdirs[i].type, &dir->kobj,
					     type->subdirs[i].name, dir->obj);
		if (IS_ERR(sub))
			return PTR_ERR(sub);
		dir->subdirs[i] = sub;
	}
	return 0;
}

/**
 * damon_sysfs_dir_create() - create a directory with its default values,
 * its files and its fixed subdirectories.
 * @type:	what the directory contains.
 * @parent:	the kobject of the parent directory.
 * @name:	the directory's name.
 * @obj:	for a view (@type->size 0), the object its files show;
 *		ignored for an object directory, which shows itself.
 *
 * Return: the directory, or an ERR_PTR(); nothing is left behind on error.
 */
struct damon_sysfs_dir *damon_sysfs_dir_create(const struct damon_sysfs_dir_type *type,
					       struct kobject *parent, const char *name,
					       void *obj)
{
	struct damon_sysfs_dir *dir;
	int err;

	dir = kzalloc(type->size ?: sizeof(*dir), GFP_KERNEL);
	if (!dir)
		return ERR_PTR(-ENOMEM);
	if (type->nr_subdirs) {
		dir->subdirs = kcalloc(type->nr_subdirs, sizeof(*dir->subdirs), GFP_KERNEL);
		if (!dir->subdirs) {
			kfree(dir);
			return ERR_PTR(-ENOMEM);
		}
	}
	dir->type = type;
	dir->obj = type->size ? dir : obj;
	damon_sysfs_set_defaults(dir);

	err = kobject_init_and_add(&dir->kobj, &damon_sysfs_ktype, parent, "%s", name);
	if (!err)
		err = damon_sysfs_dir_populate(dir);
	if (err) {
		damon_sysfs_dir_destroy(dir);
		return ERR_PTR(err);
	}
	return dir;
}

static void damon_sysfs_list_clear(struct damon_sysfs_list *list)
{
	while (list->nr)
		damon_sysfs_dir_destroy(list->children[--list->nr]);
	kvfree(list->children);
	list->children = NULL;
}

/**
 * damon_sysfs_dir_destroy() - remove a directory, everything below it, and
 * its object.
 * @dir:	the directory; it may be partly built.
 *
 * Waits until no file of the removed directories is in use.
 */
void damon_sysfs_dir_destroy(struct damon_sysfs_dir *dir)
{
	const struct damon_sysfs_dir_type *type = dir->type;
	unsigned int i = type->nr_subdirs;

	if (type->child)
		damon_sysfs_list_clear(container_of(dir, struct damon_sysfs_list, dir));
	while (dir->subdirs && i--) {
		if (dir->subdirs[i])
			damon_sysfs_dir_destroy(dir->subdirs[i]);
	}
	/* waits for the show/store calls in progress on its files */
	if (dir->kobj.state_in_sysfs)
		kobject_del(&dir->kobj);
	if (type->cleanup)
		type->cleanup(dir);
	kobject_put(&dir->kobj);
}

/**
 * damon_sysfs_list_resize() - replace all children of a list by new ones.
 * @list:	the list; the caller holds damon_sysfs_lock.
 * @nr:		the number of new children, named "0" to "@nr - 1", with
 *		default values.
 *
 * Return: 0, or -ENOMEM; on error @list is left empty.
 */
int damon_sysfs_list_resize(struct damon_sysfs_list *list, unsigned int nr)
{
	const struct damon_sysfs_dir_type *child_type = list->dir.type->child;
	struct damon_sysfs_dir *child;
	char name[16];

	damon_sysfs_list_clear(list);
	if (!nr)
		return 0;
	/* a user-given size: fail quietly if it is absurd */
	list->children = kvcalloc(nr, sizeof(*list->children), GFP_KERNEL | __GFP_NOWARN);
	if (!list->children)
		return -ENOMEM;
	while (list->nr < nr) {
		snprintf(name, sizeof(name), "%u", list->nr);
		child = damon_sysfs_dir_create(child_type, &list->dir.kobj, name, NULL);
		if (IS_ERR(child)) {
			damon_sysfs_list_clear(list);
			return PTR_ERR(child);
		}
		list->children[list->nr++] = child;
	}
	return 0;
}

static struct damon_sysfs_list *damon_sysfs_to_list(struct kobject *kobj)
{
	return container_of(damon_sysfs_to_dir(kobj), struct damon_sysfs_list, dir);
}

/**
 * damon_sysfs_nr_show() - print the number of children of a list.
 * @kobj:	the kobject of the list.
 * @attr:	the "nr_*" file.
 * @buf:	the page to print to.
 *
 * Return: the length printed.
 */
ssize_t damon_sysfs_nr_show(struct kobject *kobj, struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(damon_sysfs_to_list(kobj)->nr));
}

/**
 * damon_sysfs_nr_store() - replace the children of a list by N new ones.
 * @kobj:	the kobject of the list.
 * @attr:	the "nr_*" file.
 * @buf:	N, an int in any base kstrtoint() accepts.
 * @count:	the length of @buf.
 *
 * Return: @count; -EINVAL if N is not a number, negative, or above the
 * list's limit; -EBUSY if damon_sysfs_lock is contended or the list is
 * busy; -ENOMEM.
 */
ssize_t damon_sysfs_nr_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	struct damon_sysfs_list *list = damon_sysfs_to_list(kobj);
	const struct damon_sysfs_dir_type *type = list->dir.type;
	int nr, err;

	err = kstrtoint(buf, 0, &nr);
	if (err)
		return err;
	if (nr < 0 || (type->max_children && (unsigned int)nr > type->max_children))
		return -EINVAL;
	if (!mutex_trylock(&damon_sysfs_lock))
		return -EBUSY;
	if (type->busy && type->busy(list))
		err = -EBUSY;
	else
		err = damon_sysfs_list_resize(list, nr);
	mutex_unlock(&damon_sysfs_lock);
	return err ? err : count;
}
